/**
 * The engine thread's side (engine-thread.ts starts it): opens the reference once, then runs
 * annotateFile for each job it is sent, several at a time, posting progress and the summary.
 */
import { annotateFile } from "../annotate-file.ts";
import { AnnotationInputError } from "../annotation-errors.ts";
import { openReference, type Reference } from "../reference/bundle.ts";
import type { FromEngine, ToEngine } from "./engine-protocol.ts";

declare const self: Worker;

let reference: Reference | null = null;
const running = new Map<number, AbortController>();
/** Progress is posted at most this often per job: the caller writes it once a second. */
const PROGRESS_EVERY_MS = 250;

const post = (msg: FromEngine) => self.postMessage(msg);
const failure = (id: number | null, err: unknown): FromEngine => ({
  type: "failed",
  id,
  message: err instanceof Error ? err.message : String(err),
  inputError: err instanceof AnnotationInputError,
});

async function run(msg: Extract<ToEngine, { type: "run" }>): Promise<void> {
  const abort = new AbortController();
  running.set(msg.id, abort);
  let last = 0;
  try {
    const summary = await annotateFile({
      input: msg.input,
      outputs: msg.outputs,
      command: msg.command,
      threads: msg.threads,
      fields: msg.fields,
      limits: msg.limits,
      reference: reference!,
      signal: abort.signal,
      onProgress: (progress) => {
        const now = performance.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        post({ type: "progress", id: msg.id, progress });
      },
    });
    post({ type: "done", id: msg.id, summary });
  } catch (err) {
    post(failure(msg.id, err));
  } finally {
    running.delete(msg.id);
  }
}

self.onmessage = async (event: MessageEvent<ToEngine>) => {
  const msg = event.data;
  switch (msg.type) {
    case "open":
      try {
        reference = await openReference(msg.reference);
        post({ type: "ready", name: reference.name, build: reference.build, warnings: reference.warnings });
      } catch (err) {
        post(failure(null, err));
      }
      return;
    case "run":
      void run(msg);
      return;
    case "abort":
      running.get(msg.id)?.abort(new Error(msg.reason));
      return;
    case "close":
      for (const a of running.values()) a.abort(new Error("engine closing"));
      await reference?.close().catch(() => {});
      post({ type: "closed" });
  }
};
