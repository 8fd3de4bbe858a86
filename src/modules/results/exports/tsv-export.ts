/**
 * The filtered set as TSV: per variant (variantColumns), or per variant × feature (the engine's
 * own `--format tsv` columns) when the view is `transcripts`. One page in memory at a time.
 */
import { tsvHeader, tsvLine } from "../../annotator/output/browse-rows.ts";
import { type SetRequest, transcriptPages, variantPages } from "../filtered-rows.ts";
import type { JobResults } from "../job-results.ts";
import type { Cell, Column } from "./variant-columns.ts";

// TSV cells cannot hold tabs or newlines; input IDs might.
const cell = (v: Cell) => (v === null ? "" : String(v).replace(/[\t\r\n]/g, " "));

export async function* variantTsv(results: Pick<JobResults, "page">, req: SetRequest, columns: readonly Column[]): AsyncGenerator<string> {
  yield `#${columns.map((c) => c.header).join("\t")}\n`;
  for await (const rows of variantPages(results, req)) {
    let out = "";
    for (const r of rows) out += `${columns.map((c) => cell(c.value(r))).join("\t")}\n`;
    yield out;
  }
}

/** Per variant × feature: each filtered variant's effects, most severe first. */
export async function* transcriptTsv(results: Pick<JobResults, "transcriptPage">, req: SetRequest): AsyncGenerator<string> {
  yield tsvHeader();
  for await (const rows of transcriptPages(results, req)) {
    let out = "";
    for (const r of rows) out += tsvLine(r);
    yield out;
  }
}
