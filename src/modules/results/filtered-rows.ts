/**
 * Every row of a filtered set, in pages: the exports' source. Each page is one keyset query on the
 * query threads (as fast at the end of a million rows as at the start), pulled only when the
 * response stream wants more, so memory holds one page whatever the set's size and a slow client
 * holds no thread.
 */
import { AppError } from "../../shared/errors.ts";
import type { JobResults } from "./job-results.ts";
import type { TranscriptRow, VariantRow } from "./results-store.ts";

import { EXPORT_PAGE_ROWS, type SetRequest } from "./export-pages.ts";

export type { SetRequest } from "./export-pages.ts";

/** The filtered variants in the request's order, a page at a time. */
export async function* variantPages(results: Pick<JobResults, "page">, req: SetRequest): AsyncGenerator<VariantRow[]> {
  let after: string | undefined;
  for (;;) {
    const page = await results.page({ ...req, limit: EXPORT_PAGE_ROWS, ...(after ? { after } : {}) });
    if (page.rows.length) yield page.rows;
    if (!page.next) return;
    after = page.next;
  }
}

/** Every effect of the filtered variants, in (variant, effect) order, a page at a time. */
export async function* transcriptPages(results: Pick<JobResults, "transcriptPage">, req: SetRequest): AsyncGenerator<TranscriptRow[]> {
  let after: string | undefined;
  for (;;) {
    const page = await results.transcriptPage({ ...req, limit: EXPORT_PAGE_ROWS, ...(after ? { after } : {}) });
    if (page.rows.length) yield page.rows;
    if (!page.next) return;
    after = page.next;
  }
}

/**
 * The annotated VCF's record ordinals of the filtered variants, ascending and each once (ALTs of
 * one record share it): the filter read in position order, which is file order.
 */
export async function* recordOrdinals(results: Pick<JobResults, "recordPage">, req: SetRequest): AsyncGenerator<number[]> {
  let last = -1;
  let after: string | null = null;
  do {
    const page = await results.recordPage(req.filter, after);
    const recs: number[] = [];
    for (const rec of page.recs) {
      if (rec === null)
        throw new AppError(
          "CONFLICT",
          "This job's results were converted from an older format that did not record where each variant is in the VCF; export TSV or Excel instead, or download the whole annotated VCF",
        );
      if (rec !== last) recs.push(rec);
      last = rec;
    }
    yield recs;
    after = page.next;
  } while (after);
}
