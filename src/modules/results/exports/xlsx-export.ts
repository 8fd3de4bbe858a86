/**
 * The filtered set as an Excel workbook (.xlsx), written by exceljs's streaming WorkbookWriter:
 * rows are committed as they come (no shared-strings table, no styles: both would keep every
 * distinct string in memory), the zip is produced as it is read. The producer waits whenever the
 * zip's output is not being read, so memory holds about a page of rows however large the set.
 */
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { type SetRequest, transcriptPages, variantPages } from "../filtered-rows.ts";
import type { JobResults } from "../job-results.ts";
import { collectAfterPage } from "../page-collections.ts";
import { BROWSE_COLUMNS } from "../../annotator/output/browse-rows.ts";
import type { Cell, Column } from "./variant-columns.ts";

/** Bytes of workbook waiting for the reader before rows stop being added. */
const MAX_BACKLOG = 1 << 20;

/** Excel's limit: rows past it would make a file Excel refuses to open. */
const EXCEL_MAX_ROWS = 1_048_576;

type Source = AsyncGenerator<Cell[][]>;
/** What exceljs's sheet buffer pipes into. */
type Piped = { writableLength?: number; _writableState?: { length: number } };

async function* workbook(sheet: string, headers: readonly { header: string; width: number }[], rows: Source): AsyncGenerator<Uint8Array> {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet(sheet, { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = headers.map((h) => ({ header: h.header, key: h.header, width: h.width }));
  let written = 1;
  /**
   * Bytes written but not yet read: the sheet's own buffer (before the zip reads it), the zip's
   * deflate queue (exceljs's StreamBuf pushes without looking at write()'s answer), then the
   * output's, so a slow reader stops the rows rather than filling either. Measured on a query
   * thread (pages come synchronously), 150k rows: without counting the zip's queue, +544 MB.
   */
  const backlog = () => {
    const sheet = (ws as unknown as { stream: { pipes?: Piped[]; buffers?: { length: number }[] } }).stream;
    const held = (sheet.buffers ?? []).reduce((n, b) => n + b.length, 0);
    // The zip's PassThrough (readable-stream 3) has no writableLength; its state says the same.
    const piped = (sheet.pipes ?? []).reduce((n, p) => n + (p._writableState?.length ?? p.writableLength ?? 0), 0);
    return held + piped + out.writableLength + out.readableLength;
  };
  const produce = (async () => {
    for await (const page of rows) {
      for (const values of page) {
        if (++written > EXCEL_MAX_ROWS)
          throw new Error(`more than ${EXCEL_MAX_ROWS - 1} rows: Excel cannot open it; narrow the filter or export TSV`);
        ws.addRow(values).commit();
      }
      // Wait for the reader: exceljs writes without looking at backpressure.
      // A turn of the event loop per page lets the zip take what was written: where pages come
      // synchronously (on a query thread), rows otherwise pile up in the sheet's own buffer
      // before the zip even starts reading it.
      await new Promise((resolve) => setImmediate(resolve));
      collectAfterPage();
      while (backlog() > MAX_BACKLOG) await Bun.sleep(2);
    }
    ws.commit();
    await wb.commit();
  })();
  // The error ends the download (the client sees a truncated file, never a valid-looking partial one).
  produce.catch((err: Error) => out.destroy(err));
  try {
    for await (const chunk of out) yield chunk as Uint8Array;
    await produce;
  } finally {
    out.destroy();
    await rows.return(undefined);
  }
}

async function* variantCells(results: Pick<JobResults, "page">, req: SetRequest, columns: readonly Column[]): Source {
  for await (const rows of variantPages(results, req)) yield rows.map((r) => columns.map((c) => c.value(r)));
}

async function* effectCells(results: Pick<JobResults, "transcriptPage">, req: SetRequest): Source {
  for await (const rows of transcriptPages(results, req)) yield rows.map((r) => BROWSE_COLUMNS.map((c) => r[c]));
}

/** One row per variant, the per-variant view's columns. */
export function variantXlsx(results: Pick<JobResults, "page">, req: SetRequest, columns: readonly Column[]): AsyncGenerator<Uint8Array> {
  return workbook("variants", columns, variantCells(results, req, columns));
}

/** One row per variant × feature, the engine's `--format tsv` columns. */
export function transcriptXlsx(results: Pick<JobResults, "transcriptPage">, req: SetRequest): AsyncGenerator<Uint8Array> {
  const widths: Partial<Record<(typeof BROWSE_COLUMNS)[number], number>> = {
    consequence: 28,
    hgvsC: 24,
    hgvsP: 20,
    feature: 18,
    geneId: 18,
  };
  return workbook(
    "effects",
    BROWSE_COLUMNS.map((c) => ({ header: c, width: widths[c] ?? 10 })),
    effectCells(results, req),
  );
}
