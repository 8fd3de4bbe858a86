/**
 * The annotated VCF's output file: an atomic writer (io/atomic-writer.ts), BGZF when the name ends
 * in `.gz`/`.bgz` as bgzip and tabix expect, plain text otherwise.
 */
import { type AtomicTextWriter, type AtomicTextWriterOptions, createAtomicTextWriter } from "../io/atomic-writer.ts";

/** The VCF writer is an AtomicTextWriter; the name says what the pipeline uses it for. */
export type VcfWriter = AtomicTextWriter;

/**
 * Opens a VCF output at `path` (BGZF when it ends in `.gz`/`.bgz`, unless `format` says otherwise).
 * Nothing appears under `path` until `commit()`.
 */
export async function createVcfWriter(path: string, opts: AtomicTextWriterOptions = {}): Promise<VcfWriter> {
  const format = opts.format ?? (/\.b?gz$/i.test(path) ? "bgzf" : "plain");
  return createAtomicTextWriter(path, { ...opts, format });
}
