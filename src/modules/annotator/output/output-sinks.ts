import { basename } from "node:path";
import type { ByteBuilder } from "../io/byte-builder.ts";
import { type AtomicTextWriter, createAtomicTextWriter } from "../io/atomic-writer.ts";
import { createVcfWriter } from "../vcf/vcf-writer.ts";
import type { AnnotateSummary } from "./annotation-summary.ts";
import { type RowBatch, tsvHeader, tsvLine } from "./browse-rows.ts";
import { renderCountLog } from "./count-log.ts";
import { createResultsStoreWriter, type ResultsStoreWriter, type StoreRunInfo } from "./results-store-writer.ts";

/** Where a run writes: any subset of the five outputs, each created atomically (temp + rename). */
export interface OutputPaths {
  vcf?: string;
  log?: string;
  tsv?: string;
  json?: string;
  /** The results store: a SQLite file of variant and transcript rows and the summary (results-store-writer.ts). */
  store?: string;
  /**
   * The store without its indexes and planner statistics: a part of a split job's store, whose
   * merge (jobs/split/merge-store.ts) builds them once over every part's rows. Building them in
   * each part as well cost ~25 % of a 250k-variant chunk's CPU (measured 2026-12-03: 9.3 → 7.0 s).
   */
  storeWithoutIndexes?: boolean;
}

type TextSink = Pick<AtomicTextWriter, "write" | "writeBytes" | "writeOwnedBytes" | "swapBytes" | "ready" | "commit" | "abort">;

/** The open outputs of one run. Nothing becomes visible under its final name until `commit`. */
export class OutputSinks {
  private jsonRows = 0;

  private constructor(
    private readonly vcf: TextSink | null,
    private readonly tsv: TextSink | null,
    private readonly json: TextSink | null,
    private readonly log: TextSink | null,
    private readonly store: ResultsStoreWriter | null,
  ) {}

  /** `storeInfo`: what the results store records about the run beyond its rows (samples, tagged models). */
  static async open(
    paths: OutputPaths,
    headerText: string,
    referenceName: string,
    storeInfo: Omit<StoreRunInfo, "header"> = { samples: [], canonicalTagged: false },
  ): Promise<OutputSinks> {
    const opened: TextSink[] = [];
    let store: ResultsStoreWriter | null = null;
    try {
      // Every output, the log included, is created now: an unwritable path fails the run before
      // any work, never after the others have been published under their final names.
      const create = async (path: string | undefined, make: (p: string) => Promise<TextSink>) => {
        if (!path) return null;
        const sink = await make(path).catch((err: unknown) => {
          throw new Error(`cannot write ${path}: ${outputProblem(err)}`, { cause: err });
        });
        opened.push(sink);
        return sink;
      };
      const vcf = await create(paths.vcf, (p) => createVcfWriter(p));
      const tsv = await create(paths.tsv, (p) => createAtomicTextWriter(p));
      const json = await create(paths.json, (p) => createAtomicTextWriter(p));
      const log = await create(paths.log, (p) => createAtomicTextWriter(p));
      if (paths.store) {
        try {
          store = createResultsStoreWriter(paths.store, { ...storeInfo, header: headerText }, { indexes: !paths.storeWithoutIndexes });
        } catch (err) {
          throw new Error(`cannot write ${paths.store}: ${outputProblem(err)}`, { cause: err });
        }
      }
      vcf?.write(headerText);
      tsv?.write(tsvHeader());
      json?.write(`{"format":"gas-annotations/1","reference":${JSON.stringify(referenceName)},"rows":[\n`);
      return new OutputSinks(vcf, tsv, json, log, store);
    } catch (err) {
      await (store as ResultsStoreWriter | null)?.abort(); // assigned in the try: TypeScript narrows it to null here
      await Promise.allSettled(opened.map((s) => s.abort()));
      throw err;
    }
  }

  get wantsRows(): boolean {
    return this.tsv !== null || this.json !== null || this.store !== null;
  }

  /** The results store also wants each ALT's facts and the records' issues (RowBatch). */
  get wantsFacts(): boolean {
    return this.store !== null;
  }

  writeRecord(line: string, rows: RowBatch | null): void {
    this.vcf?.write(line);
    this.writeRows(rows);
  }

  /**
   * A worker's batch: VCF lines already encoded as UTF-8, plus its browse rows. `written` is
   * called once the bytes are no longer needed (see AtomicTextWriter.writeOwnedBytes).
   */
  writeEncodedRecords(vcf: Uint8Array, rows: RowBatch | null, written: () => void = () => {}): void {
    if (this.vcf) this.vcf.writeOwnedBytes(vcf, written);
    else written();
    this.writeRows(rows);
  }

  private writeRows(batch: RowBatch | null): void {
    if (!batch) return;
    this.store?.write(batch);
    if (!this.tsv && !this.json) return;
    for (const row of batch.rows) {
      this.tsv?.write(tsvLine(row));
      if (this.json) this.json.write(`${this.jsonRows++ ? ",\n" : ""}${JSON.stringify(row)}`);
    }
  }

  /**
   * The single-thread pipeline's lines so far, written as UTF-8 into `out`: the VCF takes its
   * buffer without a copy (see swapBytes) and `out` is left empty, on a fresh buffer.
   */
  handOff(out: ByteBuilder, rows: RowBatch | null): void {
    if (this.vcf) out.bytes = this.vcf.swapBytes(out.bytes as Uint8Array<ArrayBuffer>, out.length);
    out.clear();
    this.writeRows(rows);
  }

  /** Resolves when every output can take more without writing on the caller's thread (see AtomicTextWriter.ready). */
  async ready(): Promise<void> {
    await Promise.all([this.vcf?.ready(), this.tsv?.ready(), this.json?.ready(), this.store?.ready()]);
  }

  /** Finishes every output, then writes the log last: a log means the run completed. */
  async commit(summary: AnnotateSummary): Promise<void> {
    this.json?.write(`\n],"summary":${JSON.stringify(summary)}}\n`);
    await Promise.all([this.vcf?.commit(), this.tsv?.commit(), this.json?.commit(), this.store?.commit(summary)]);
    if (this.log) {
      this.log.write(renderCountLog({ ...summary, input: basename(summary.input) }));
      await this.log.commit();
    }
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.store?.abort(), this.vcf?.abort(), this.tsv?.abort(), this.json?.abort(), this.log?.abort()]);
  }
}

/** The reason an output cannot be created, in the user's terms (the temporary name means nothing to them). */
function outputProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOENT") return "its folder does not exist";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "a part of the path is not a folder";
  if (code === "EROFS") return "read-only file system";
  return err instanceof Error ? err.message : String(err);
}
