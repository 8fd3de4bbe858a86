/**
 * Converts an old job's `.annot.json` (format gas-annotations/1: one BrowseRow per line inside
 * `"rows":[…]`, then the engine's summary, as output-sinks.ts wrote it) into a results store, so
 * jobs annotated before the store existed browse like new ones. Streams the file line by line
 * (memory: one batch of rows, whatever the file's size; a 1M-variant job's JSON is ~1.2 GB) and
 * writes through the engine's own store writer, on this thread.
 *
 * What the old file lacks stays empty: record ordinals (rec is null, so a VCF export of such a
 * store cannot pick records), FILTER, ClinVar, population frequencies, genotypes, canonical. The
 * summary's warnings (capped at 1000 by the engine then) become the issues list.
 */
import { basename } from "node:path";
import type { AnnotateSummary, BrowseRow } from "../annotator/index.ts";
import type { RecordIssue, RowBatch, VariantFacts } from "../annotator/output/browse-rows.ts";
import { createResultsStoreWriter, type StoreSummaryCounts } from "../annotator/output/results-store-writer.ts";

export const LEGACY_JSON_FORMAT = "gas-annotations/1";
/** Rows per write (one transaction). */
const BATCH_ROWS = 10_000;
/** A row line is a few hundred bytes; anything this long is not a file the engine wrote. */
const MAX_LINE_CHARS = 1 << 20;
const SUMMARY_PREFIX = '],"summary":';

/** The old file is not one the engine wrote (wrong format, truncated, a line that is not a row). */
export class LegacyJsonError extends Error {}

export async function importLegacyJson(jsonPath: string, storePath: string): Promise<StoreSummaryCounts> {
  const writer = createResultsStoreWriter(storePath, { header: "", samples: [], canonicalTagged: false }, { thread: false });
  try {
    let batch = emptyBatch();
    let lineNo = 0;
    let summary: AnnotateSummary | null = null;
    let last: BrowseRow | null = null;
    const flush = () => {
      if (batch.rows.length) writer.write(batch);
      batch = emptyBatch();
    };
    for await (const line of lines(jsonPath)) {
      lineNo++;
      const where = `${jsonPath}: line ${lineNo}`;
      if (lineNo === 1) {
        const head = parse<{ format?: unknown }>(`${line}]}`, where);
        if (head.format !== LEGACY_JSON_FORMAT)
          throw new LegacyJsonError(`${jsonPath} is not a ${LEGACY_JSON_FORMAT} file (format ${JSON.stringify(head.format ?? null)})`);
        continue;
      }
      if (summary) throw new LegacyJsonError(`${where}: text after the summary`);
      if (line.startsWith(SUMMARY_PREFIX)) {
        // Older or hand-made files may lack fields the writer names the input by: fill them in.
        const parsed = parse<Partial<AnnotateSummary>>(line.slice(SUMMARY_PREFIX.length, line.lastIndexOf("}")), where);
        summary = {
          ...parsed,
          input: parsed.input ?? basename(jsonPath),
          reference: parsed.reference ?? "",
          warnings: parsed.warnings ?? [],
        } as AnnotateSummary;
        continue;
      }
      if (line === "") continue;
      const row = parse<BrowseRow>(line.endsWith(",") ? line.slice(0, -1) : line, where);
      if (typeof row.line !== "number" || typeof row.alt !== "string" || typeof row.consequence !== "string")
        throw new LegacyJsonError(`${where}: not an annotation row`);
      // A variant's rows are consecutive (one ALT of one record); a batch never splits them.
      const sameVariant = last !== null && last.line === row.line && last.alt === row.alt;
      if (!sameVariant && batch.rows.length >= BATCH_ROWS) flush();
      batch.rows.push(row);
      if (sameVariant) batch.variants.at(-1)!.rows++;
      else batch.variants.push(legacyFacts());
      last = row;
    }
    if (!summary) throw new LegacyJsonError(`${jsonPath} ends before its summary: the file is truncated`);
    batch.issues = issuesOf(summary);
    flush();
    return await writer.commit(summary);
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

function emptyBatch(): RowBatch {
  return { rows: [], variants: [], issues: [], recordBase: 0 };
}

function legacyFacts(): VariantFacts {
  return { rows: 1, rec: -1, filter: "", known: null, gt: "", canonical: false };
}

/** `in.vcf: line 12: ALT "<DEL>" not annotated: …` → an issue at line 12 (contig and position were not recorded). */
function issuesOf(summary: AnnotateSummary): RecordIssue[] {
  const out: RecordIssue[] = [];
  for (const w of summary.warnings ?? []) {
    const m = /: line (\d+): (.*)$/.exec(w);
    if (!m) continue;
    const skipped = /not annotated|not in the reference/.test(m[2]!);
    out.push({ line: Number(m[1]), chrom: "", pos: 0, kind: skipped ? "skipped" : "warning", message: m[2]! });
  }
  return out;
}

function parse<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LegacyJsonError(`${where}: not valid JSON`);
  }
}

/** The file's lines, decoded as UTF-8, without their newline; bounded by MAX_LINE_CHARS each. */
async function* lines(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Bun.file(path).stream()) {
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf("\n");
    let from = 0;
    while (nl >= 0) {
      yield pending.slice(from, nl);
      from = nl + 1;
      nl = pending.indexOf("\n", from);
    }
    pending = pending.slice(from);
    if (pending.length > MAX_LINE_CHARS) throw new LegacyJsonError(`${path}: a line longer than ${MAX_LINE_CHARS} characters`);
  }
  pending += decoder.decode();
  if (pending) yield pending;
}
