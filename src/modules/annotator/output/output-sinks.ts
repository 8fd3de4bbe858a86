import { basename } from "node:path";
import { createAtomicTextWriter, createVcfWriter } from "../vcf/vcf-writer.ts";
import type { AnnotateSummary } from "./annotation-summary.ts";
import { type BrowseRow, tsvHeader, tsvLine } from "./browse-rows.ts";
import { renderCountLog } from "./count-log.ts";

/** Where a run writes: any subset of the four outputs, each created atomically (temp + rename). */
export interface OutputPaths {
  vcf?: string;
  log?: string;
  tsv?: string;
  json?: string;
}

interface TextSink {
  write(text: string): void;
  writeBytes(bytes: Uint8Array): void;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** The open outputs of one run. Nothing becomes visible under its final name until `commit`. */
export class OutputSinks {
  private jsonRows = 0;

  private constructor(
    private readonly vcf: TextSink | null,
    private readonly tsv: TextSink | null,
    private readonly json: TextSink | null,
    private readonly logPath: string | undefined,
  ) {}

  static async open(paths: OutputPaths, headerText: string, referenceName: string): Promise<OutputSinks> {
    const opened: TextSink[] = [];
    try {
      const vcf = paths.vcf ? await createVcfWriter(paths.vcf) : null;
      if (vcf) opened.push(vcf);
      const tsv = paths.tsv ? await createAtomicTextWriter(paths.tsv) : null;
      if (tsv) opened.push(tsv);
      const json = paths.json ? await createAtomicTextWriter(paths.json) : null;
      if (json) opened.push(json);
      vcf?.write(headerText);
      tsv?.write(tsvHeader());
      json?.write(`{"format":"gas-annotations/1","reference":${JSON.stringify(referenceName)},"rows":[\n`);
      return new OutputSinks(vcf, tsv, json, paths.log);
    } catch (err) {
      await Promise.allSettled(opened.map((s) => s.abort()));
      throw err;
    }
  }

  get wantsRows(): boolean {
    return this.tsv !== null || this.json !== null;
  }

  writeRecord(line: string, rows: readonly BrowseRow[] | null): void {
    this.vcf?.write(line);
    if (!rows) return;
    for (const row of rows) {
      this.tsv?.write(tsvLine(row));
      if (this.json) this.json.write(`${this.jsonRows++ ? ",\n" : ""}${JSON.stringify(row)}`);
    }
  }

  /** A worker's batch: VCF lines already encoded as UTF-8, plus its browse rows. */
  writeEncodedRecords(vcf: Uint8Array, rows: readonly BrowseRow[] | null): void {
    this.vcf?.writeBytes(vcf);
    if (!rows) return;
    for (const row of rows) {
      this.tsv?.write(tsvLine(row));
      if (this.json) this.json.write(`${this.jsonRows++ ? ",\n" : ""}${JSON.stringify(row)}`);
    }
  }

  /** Finishes every output, then writes the log last: a log means the run completed. */
  async commit(summary: AnnotateSummary): Promise<void> {
    this.json?.write(`\n],"summary":${JSON.stringify(summary)}}\n`);
    await Promise.all([this.vcf?.commit(), this.tsv?.commit(), this.json?.commit()]);
    if (this.logPath) {
      const log = await createAtomicTextWriter(this.logPath);
      log.write(renderCountLog({ ...summary, input: basename(summary.input) }));
      await log.commit();
    }
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.vcf?.abort(), this.tsv?.abort(), this.json?.abort()]);
  }
}
