/**
 * The 20 queries bench/results.ts times against `GET /annotations/{id}/rows` (issue 12): each
 * filter kind of src/modules/results/results-params.ts, sorts on many columns both ways, the last
 * page, keyset (cursor) pages both ways, the per-transcript view, and a few combinations. (The
 * first page by position is what opening the results page already measures.) Written for the
 * bench VCF (bench/generate-vcf.ts over the demo bundle: chr21 24.98–26.02 Mb and 43.76–43.90 Mb,
 * samples NA12878/NA12891/NA12892, half the records drawn from the known-variants file).
 */

export interface BenchQuery {
  label: string;
  /** Query parameters (format=json and limit are added by the bench). */
  params: Record<string, string>;
  /** A neighbouring page: the `next` (as `after`) or `prev` (as `before`) cursor of an earlier query's answer. */
  cursorFrom?: { label: string; take: "next" | "prev" };
  /**
   * The answer must have rows: a broad query that comes back empty means the store or the route
   * is wrong, and its time would be a wrong figure, so the bench stops with an error instead.
   */
  expectRows?: boolean;
}

export const RESULTS_QUERIES: readonly BenchQuery[] = [
  { label: "impact HIGH|MODERATE, by gene", params: { impact: "HIGH,MODERATE", sort: "gene" }, expectRows: true },
  {
    label: "consequence missense|stop_gained, by consequence desc",
    params: { consequence: "missense_variant,stop_gained", sort: "consequence", dir: "desc" },
    expectRows: true,
  },
  { label: "gene APP, by HGVS.c", params: { gene: "APP", sort: "hgvs_c" }, expectRows: true },
  { label: "gene list + prefix (GABPA, JAM2, AP*), by HGVS.p desc", params: { gene: "GABPA,JAM2,AP*", sort: "hgvs_p", dir: "desc" } },
  { label: "biotype protein_coding, by impact", params: { biotype: "protein_coding", sort: "impact" }, expectRows: true },
  {
    label: "region 21:25,500,000-25,600,000, by position desc",
    params: { region: "21:25,500,000-25,600,000", dir: "desc" },
    expectRows: true,
  },
  { label: "known, by AF desc", params: { known: "known", sort: "af", dir: "desc" }, expectRows: true },
  { label: "novel, by ID desc", params: { known: "novel", sort: "id", dir: "desc" }, expectRows: true },
  { label: "AF <= 0.01, by AF", params: { af_max: "0.01", sort: "af" } },
  { label: "EUR_AF >= 0.05, by biotype", params: { af_min: "0.05", af_field: "EUR_AF", sort: "biotype" } },
  {
    label: "ClinVar pathogenic|likely_pathogenic|uncertain, by ClinVar desc",
    params: { clin_sig: "pathogenic,likely_pathogenic,uncertain_significance", sort: "clin_sig", dir: "desc" },
  },
  { label: "FILTER not PASS, by FILTER", params: { pass: "0", sort: "filter" }, expectRows: true },
  {
    label: "NA12878 hom-alt, PASS, by gene desc",
    params: { sample: "NA12878", gt: "hom_alt", pass: "1", sort: "gene", dir: "desc" },
    expectRows: true,
  },
  { label: "NA12891 het, impact MODERATE", params: { sample: "NA12891", gt: "het", impact: "MODERATE" }, expectRows: true },
  // No canonical filter: the demo gene models tag no transcript, and the API answers 400 for it.
  {
    label: "gene APP, known, MODERATE|LOW, by HGVS.c desc",
    params: { gene: "APP", known: "known", impact: "MODERATE,LOW", sort: "hgvs_c", dir: "desc" },
  },
  { label: "free text 'p.Arg'", params: { q: "p.Arg" } },
  { label: "last page by position", params: { last: "1" }, expectRows: true },
  { label: "the page before the last one", params: {}, cursorFrom: { label: "last page by position", take: "prev" }, expectRows: true },
  {
    label: "next page after the gene-sorted first page",
    params: { impact: "HIGH,MODERATE", sort: "gene" },
    cursorFrom: { label: "impact HIGH|MODERATE, by gene", take: "next" },
    expectRows: true,
  },
  // The transcripts view sorts by position only (the API answers 400 for another sort).
  {
    label: "transcripts view, impact MODIFIER, last page",
    params: { view: "transcripts", impact: "MODIFIER", last: "1" },
    expectRows: true,
  },
];

/** The filtered export: most of the file (every variant with a LOW or MODIFIER effect), as TSV. */
export const EXPORT_QUERY: Record<string, string> = { impact: "LOW,MODIFIER", format: "tsv" };
