/**
 * The one error type the VCF reader throws for bad input. Its message always names the file, the
 * line and the problem, e.g. `test.vcf: line 12: POS "abc" is not a positive integer`, so callers
 * can show it to the user as it is.
 */
export class VcfFormatError extends Error {
  override readonly name = "VcfFormatError";
  /** The file as the caller named it. */
  readonly file: string;
  /** 1-based line number; for compressed input, the line being read when the data broke. */
  readonly line: number;
  /** The VCF column at fault (`POS`, `REF`, ...), when one is. */
  readonly field: string | undefined;
  /** The problem without the `file: line N:` prefix. */
  readonly problem: string;

  constructor(file: string, line: number, problem: string, field?: string) {
    super(`${file}: line ${line}: ${problem}`);
    this.file = file;
    this.line = line;
    this.field = field;
    this.problem = problem;
  }
}

/** Quotes a piece of input for an error message: short, printable, never binary. */
export function quoteForMessage(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // JSON.stringify escapes control characters; lone surrogates and other oddities stay readable.
  return JSON.stringify(cut);
}
