/**
 * A problem with the user's input (or reference) that stops a run. Its message names the file,
 * the line and the problem, and is safe to show to the user as the job's failure reason.
 */
export class AnnotationInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AnnotationInputError";
  }
}
