/**
 * The annotated VCF's output file: an atomic writer (io/atomic-writer.ts), BGZF when the name ends
 * in `.gz`/`.bgz` as bgzip and tabix expect, plain text otherwise. A BGZF VCF also gets its tabix
 * index, `<path>.tbi`, built in the same pass (io/tabix-index.ts).
 */
import { rmSync } from "node:fs";
import { type AtomicTextWriter, type AtomicTextWriterOptions, createAtomicTextWriter } from "../io/atomic-writer.ts";
import { createTabixIndexer } from "../io/tabix-index.ts";

/** An AtomicTextWriter for the VCF, plus what became of its index. */
export interface VcfWriter extends AtomicTextWriter {
  /** `<path>.tbi` when an index is being built, else null (plain output, or `index: false`). */
  readonly indexPath: string | null;
  /**
   * After commit: why no index was written (unsorted records, a position past the .tbi limit, …),
   * or null when it was (or none was asked for).
   */
  indexProblem(): string | null;
}

export interface VcfWriterOptions extends AtomicTextWriterOptions {
  /** Write `<path>.tbi` beside a BGZF VCF (default true; ignored for plain text). */
  index?: boolean;
}

/**
 * Opens a VCF output at `path` (BGZF when it ends in `.gz`/`.bgz`, unless `format` says otherwise).
 * Nothing appears under `path` until `commit()`; the index appears just after the VCF, so it is
 * never older than its data (htslib warns when it is).
 */
export async function createVcfWriter(path: string, opts: VcfWriterOptions = {}): Promise<VcfWriter> {
  const format = opts.format ?? (/\.b?gz$/i.test(path) ? "bgzf" : "plain");
  const indexer = format === "bgzf" && opts.index !== false ? createTabixIndexer() : null;
  const writer = await createAtomicTextWriter(path, {
    ...opts,
    format,
    ...(indexer ? { onBgzfBlock: (data, size) => indexer.block(data, size) } : {}),
  });
  if (!indexer) return Object.assign(writer, { indexPath: null, indexProblem: () => null });
  const indexPath = `${path}.tbi`;
  return {
    ...writer,
    indexPath,
    indexProblem: () => indexer.problem(),
    async commit() {
      await writer.commit();
      const index = indexer.finish();
      if (!index) {
        // An index left by an earlier run would describe other data: remove it.
        rmSync(indexPath, { force: true });
        return;
      }
      const out = await createAtomicTextWriter(indexPath, { format: "bgzf", level: 6 });
      out.writeBytes(index);
      await out.commit();
    },
  };
}
