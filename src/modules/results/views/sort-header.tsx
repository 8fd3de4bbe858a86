/**
 * A sortable column header: a link to the same filter sorted by this column (the other way round
 * when it is already the sort), with aria-sort on the active one and the action spelled out for
 * screen readers.
 */
import type { Child } from "hono/jsx";
import type { ResultsQuery } from "../results-params.ts";
import type { SortKey } from "../results-store.ts";
import { resultsHref } from "./results-href.ts";

export function SortHeader(p: { base: string; q: ResultsQuery; k: SortKey; children: Child; class?: string }) {
  const current = p.q.sort ?? "position";
  const active = current === p.k;
  const descending = p.q.dir === "desc";
  const next = active && !descending ? "desc" : "asc";
  return (
    <th scope="col" class={p.class} aria-sort={active ? (descending ? "descending" : "ascending") : undefined}>
      <a href={resultsHref(p.base, p.q, { sort: p.k, dir: next })} data-results-nav="" class="sort-link">
        {p.children}
        {active ? (descending ? " ▼" : " ▲") : ""}
        <span class="visually-hidden">
          {active ? `, sorted ${descending ? "descending" : "ascending"}; activate to reverse` : ", activate to sort"}
        </span>
      </a>
    </th>
  );
}
