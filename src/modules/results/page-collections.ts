/**
 * Collections between pages on a results query thread. An export is a few hundred pages in a row,
 * each leaving its rows, its text and (Excel) its XML as garbage that the collector otherwise let
 * pile up: exporting a 150k-variant result (test/hostile/results-memory.spawn.test.ts) raised the
 * web role's RSS by 50–126 MB per export, one at a time, and by 220–254 MB in all with two at
 * once beside the results pages. An eden collection after every page (~1 ms) and a full one
 * every FULL_EVERY pages (a few ms on this thread's small heap) took that to 193–195 MB, with
 * every export as fast as before (three runs each). Counted per page of rows, not per call: an
 * Excel export answers thousands of small chunk calls, and collecting after each made it 40–80 %
 * slower; a full collection every 32 pages left 202–239 MB.
 */
const FULL_EVERY = 8;
let pages = 0;

/** Call after each page of rows is answered or written. */
export function collectAfterPage(): void {
  Bun.gc(++pages % FULL_EVERY === 0);
}
