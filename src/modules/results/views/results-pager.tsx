/**
 * First / previous / next / last over keyset cursors: the store pages by the sort key, never by an
 * offset, so the last page of a million variants costs what the first does. A keyset has no page
 * numbers; the count above the table says how many rows match.
 */
import type { ResultsQuery } from "../results-params.ts";
import { resultsHref } from "./results-href.ts";

export function ResultsPager(p: { base: string; q: ResultsQuery; next: string | null; prev: string | null }) {
  if (!p.next && !p.prev) return null;
  const item = (label: string, href: string | null, rel?: string) => (
    <li class={`page-item${href ? "" : " disabled"}`}>
      {href ? (
        <a class="page-link" href={href} rel={rel} data-results-nav="">
          {label}
        </a>
      ) : (
        <span class="page-link" aria-disabled="true">
          {label}
        </span>
      )}
    </li>
  );
  const atEnd = !p.next;
  return (
    <nav aria-label="Result pages" class="results-pager">
      <ul class="pagination flex-wrap">
        {item("« First", p.prev ? resultsHref(p.base, p.q) : null)}
        {item("‹ Previous", p.prev ? resultsHref(p.base, p.q, { before: p.prev }) : null, "prev")}
        {item("Next ›", p.next ? resultsHref(p.base, p.q, { after: p.next }) : null, "next")}
        {item("Last »", atEnd ? null : resultsHref(p.base, p.q, { last: true }))}
      </ul>
    </nav>
  );
}
