/**
 * The filtered set as TSV: per variant (variantColumns), or per variant × feature (the engine's
 * own `--format tsv` columns) when the view is `transcripts`. Pages are formatted on the query
 * thread (export-pages.ts) and pulled one at a time as the client reads: one page in memory.
 */
import { tsvHeader } from "../../annotator/output/browse-rows.ts";
import type { SetRequest, TextPage } from "../export-pages.ts";
import type { JobResults } from "../job-results.ts";

async function* pages(first: string, next: (after: string | null) => Promise<TextPage>): AsyncGenerator<string> {
  yield first;
  let after: string | null = null;
  do {
    const page = await next(after);
    if (page.text) yield page.text;
    after = page.next;
  } while (after);
}

export async function* variantTsv(
  results: Pick<JobResults, "variantTsvHeader" | "variantTsvPage">,
  req: SetRequest,
): AsyncGenerator<string> {
  yield* pages(await results.variantTsvHeader(), (after) => results.variantTsvPage(req, after));
}

/** Per variant × feature: each filtered variant's effects, most severe first. */
export function transcriptTsv(results: Pick<JobResults, "effectTsvPage">, req: SetRequest): AsyncGenerator<string> {
  return pages(tsvHeader(), (after) => results.effectTsvPage(req, after));
}
