/**
 * The results browser's URLs: a page link keeps the filter and drops what must not carry over
 * (paging on a new filter or sort, the export format), an export link carries exactly the filter,
 * view and order and never a page; both parse back to the same query.
 */
import { describe, expect, test } from "bun:test";
import { ResultsQuery } from "../results-params.ts";
import { exportHref, isFiltered, resultsHref } from "./results-href.ts";

const parse = (href: string) => ResultsQuery.parse(Object.fromEntries(new URL(href, "http://x").searchParams));
const q = ResultsQuery.parse({
  gene: "APP,KRTAP*",
  impact: ["HIGH", "MODERATE"],
  region: "21:25,000,000-26,000,000",
  af_min: "0.01",
  pass: "1",
  sample: "NA12878",
  gt: "het",
  sort: "gene",
  dir: "desc",
  after: "WzEsMl0",
  limit: "25",
});

describe("results URLs", () => {
  test("a page link keeps the filter, sort and size, and drops the cursor unless it is given", () => {
    const href = resultsHref("/r", q);
    expect(href).not.toContain("after=");
    const back = parse(href);
    expect(back).toMatchObject({
      gene: ["APP", "KRTAP*"],
      impact: ["HIGH", "MODERATE"],
      af_min: 0.01,
      pass: true,
      sort: "gene",
      dir: "desc",
      limit: 25,
    });
    expect(back.region).toBe("21:25,000,000-26,000,000");
    expect(parse(resultsHref("/r", q, { before: "abc" })).before).toBe("abc");
    expect(resultsHref("/r", q, { last: true })).toContain("last=1");
  });

  test("defaults are left out", () => {
    expect(resultsHref("/r", ResultsQuery.parse({}))).toBe("/r");
    expect(resultsHref("/r", ResultsQuery.parse({ view: "variants", limit: "50", sort: "position", dir: "asc" }))).toBe("/r");
    expect(isFiltered(ResultsQuery.parse({ sort: "gene", limit: "25" }))).toBe(false);
    expect(isFiltered(q)).toBe(true);
  });

  test("an export link carries exactly the filter, view and order, never a page or its size", () => {
    const href = exportHref("/annotations/x/rows", { ...q, view: "transcripts" }, "tsv");
    const u = new URL(href, "http://x");
    expect(u.pathname).toBe("/annotations/x/rows");
    expect(u.searchParams.get("format")).toBe("tsv");
    expect(u.searchParams.get("view")).toBe("transcripts");
    for (const k of ["after", "before", "last", "limit"]) expect(u.searchParams.has(k)).toBe(false);
    const back = parse(href);
    expect(back).toMatchObject({
      gene: q.gene,
      impact: q.impact,
      region: q.region,
      af_min: 0.01,
      pass: true,
      sample: "NA12878",
      gt: "het",
      sort: "gene",
      dir: "desc",
    });
  });

  test("a genotype class without its sample is dropped", () => {
    const href = resultsHref("/r", ResultsQuery.parse({ gt: "hom_alt" }));
    expect(href).toBe("/r");
  });
});
