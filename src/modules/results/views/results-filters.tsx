/**
 * The filter form: a plain GET form whose field names are ResultsQuery's parameters, so it works
 * without JavaScript and its URL is the API's filter too. Several values of one filter are ORed
 * (several consequences, impacts…), different filters ANDed. The choices offered come from the
 * store's summary (terms, biotypes, populations and samples present in this job), never from rows.
 */
import { CLIN_SIG_CLASSES, type ClinSigClass } from "../results-store.ts";
import { IMPACTS, PAGE_SIZES, type ResultsQuery } from "../results-params.ts";

export interface FilterChoices {
  /** [term, variants] by most severe consequence, most frequent first. */
  consequences: [string, number][];
  biotypes: [string, number][];
  /** Population frequency fields of the known-variants file (e.g. `EUR_AF`). */
  populations: string[];
  samples: string[];
  /** The gene models tag canonical / MANE transcripts. */
  canonical: boolean;
  /** The job's transcript choice (pick, per-gene, flag-pick…); "none" when it made none. */
  pick: string;
  clinSig: Partial<Record<ClinSigClass, number>>;
}

const count = (n: number | undefined) => (n === undefined ? "" : ` (${n.toLocaleString("en-US")})`);

const GENOTYPES = [
  ["non_ref", "any ALT call (het or hom-alt)"],
  ["het", "heterozygous"],
  ["hom_alt", "homozygous ALT"],
] as const;

/** `raw` holds the text of fields that failed validation, so the form shows what was typed. */
export function ResultsFilters(p: { base: string; q: ResultsQuery; choices: FilterChoices; raw: Record<string, string> }) {
  const { q, choices: c } = p;
  const value = (k: keyof ResultsQuery & string, v: unknown) => p.raw[k] ?? (v === undefined ? "" : String(v));
  return (
    // biome-ignore lint/a11y/useSemanticElements: role=search on the form is the ARIA way to mark the search landmark; <search> is too new for some assistive tech
    <form
      method="get"
      action={p.base}
      id="results-filters"
      class="results-filters card card-body mb-3"
      role="search"
      aria-label="Filter variants"
    >
      <div class="row g-3">
        <div class="col-md-4 col-lg-3">
          <label class="form-label" for="f-gene">
            Genes
          </label>
          <input
            class="form-control"
            id="f-gene"
            name="gene"
            value={q.gene.join(", ")}
            placeholder="APP, SOD1, KRTAP*"
            aria-describedby="f-gene-help"
          />
          <div class="form-text" id="f-gene-help">
            Comma-separated; end with * for a prefix.
          </div>
        </div>
        <div class="col-md-4 col-lg-3">
          <label class="form-label" for="f-consequence">
            Most severe consequence
          </label>
          <select class="form-select" id="f-consequence" name="consequence" multiple size={4} aria-describedby="f-multi-help">
            {c.consequences.map(([t, n]) => (
              <option value={t} selected={q.consequence.includes(t)}>
                {`${t}${count(n)}`}
              </option>
            ))}
          </select>
        </div>
        <div class="col-md-4 col-lg-2">
          <label class="form-label" for="f-biotype">
            Biotype
          </label>
          <select class="form-select" id="f-biotype" name="biotype" multiple size={4} aria-describedby="f-multi-help">
            {c.biotypes.map(([b, n]) => (
              <option value={b} selected={q.biotype.includes(b)}>
                {`${b}${count(n)}`}
              </option>
            ))}
          </select>
        </div>
        <fieldset class="col-md-4 col-lg-2">
          <legend class="form-label fs-6">Impact</legend>
          {IMPACTS.map((i) => (
            <div class="form-check">
              <input class="form-check-input" type="checkbox" name="impact" value={i} id={`f-impact-${i}`} checked={q.impact.includes(i)} />
              <label class="form-check-label" for={`f-impact-${i}`}>
                {i}
              </label>
            </div>
          ))}
        </fieldset>
        <div class="col-md-4 col-lg-2">
          <label class="form-label" for="f-clin-sig">
            ClinVar
          </label>
          <select class="form-select" id="f-clin-sig" name="clin_sig" multiple size={4} aria-describedby="f-multi-help">
            {CLIN_SIG_CLASSES.map((s) => (
              <option value={s} selected={q.clin_sig.includes(s)}>
                {`${s.replaceAll("_", " ")}${count(c.clinSig[s])}`}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="form-text mb-2" id="f-multi-help">
        In a list, Ctrl/⌘-click or Shift+arrows choose several values; a variant matches any of them.
      </div>
      <div class="row g-3">
        <div class="col-md-4 col-lg-3">
          <label class="form-label" for="f-region">
            Region
          </label>
          <input
            class="form-control"
            id="f-region"
            name="region"
            value={value("region", q.region)}
            placeholder="21:25,000,000-26,000,000"
          />
        </div>
        <div class="col-md-4 col-lg-2">
          <label class="form-label" for="f-known">
            Known / novel
          </label>
          <select class="form-select" id="f-known" name="known">
            <option value="">all</option>
            <option value="known" selected={q.known === "known"}>
              known (has an ID)
            </option>
            <option value="novel" selected={q.known === "novel"}>
              novel
            </option>
          </select>
        </div>
        <fieldset class="col-md-8 col-lg-5">
          <legend class="form-label fs-6">Allele frequency</legend>
          <div class="input-group">
            <label class="input-group-text" for="f-af-field">
              in
            </label>
            <select class="form-select" id="f-af-field" name="af_field">
              <option value="">all (global AF)</option>
              {c.populations.map((f) => (
                <option value={f} selected={q.af_field === f}>
                  {f}
                </option>
              ))}
            </select>
            <label class="input-group-text" for="f-af-min">
              from
            </label>
            <input class="form-control" id="f-af-min" name="af_min" inputmode="decimal" value={value("af_min", q.af_min)} placeholder="0" />
            <label class="input-group-text" for="f-af-max">
              to
            </label>
            <input class="form-control" id="f-af-max" name="af_max" inputmode="decimal" value={value("af_max", q.af_max)} placeholder="1" />
          </div>
        </fieldset>
        <div class="col-md-4 col-lg-2">
          <label class="form-label" for="f-q">
            Search
          </label>
          <input class="form-control" type="search" id="f-q" name="q" value={q.q ?? ""} placeholder="rsID, HGVS, term…" />
        </div>
      </div>
      <div class="row g-3 mt-0 align-items-end">
        {c.samples.length ? (
          <fieldset class="col-md-8 col-lg-5">
            <legend class="form-label fs-6">Sample genotype</legend>
            <div class="input-group">
              <label class="input-group-text" for="f-sample">
                sample
              </label>
              <select class="form-select" id="f-sample" name="sample">
                <option value="">any</option>
                {c.samples.map((s) => (
                  <option value={s} selected={q.sample === s}>
                    {s}
                  </option>
                ))}
              </select>
              <label class="input-group-text" for="f-gt">
                has
              </label>
              <select class="form-select" id="f-gt" name="gt">
                {GENOTYPES.map(([g, label]) => (
                  <option value={g} selected={(q.gt ?? "non_ref") === g}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
          </fieldset>
        ) : null}
        <div class="col-auto">
          <div class="form-check">
            <input class="form-check-input" type="checkbox" name="pass" value="1" id="f-pass" checked={q.pass === true} />
            <label class="form-check-label" for="f-pass">
              FILTER = PASS only
            </label>
          </div>
          {c.canonical ? (
            <div class="form-check">
              <input class="form-check-input" type="checkbox" name="canonical" value="1" id="f-canonical" checked={q.canonical === true} />
              <label class="form-check-label" for="f-canonical">
                canonical / MANE transcript only
              </label>
            </div>
          ) : null}
          {c.pick !== "none" ? (
            <div class="form-check">
              <input class="form-check-input" type="checkbox" name="picked" value="1" id="f-picked" checked={q.picked === true} />
              <label class="form-check-label" for="f-picked">
                chosen by <code>{c.pick}</code> only (per-transcript view)
              </label>
            </div>
          ) : null}
        </div>
        <div class="col-auto">
          <label class="form-label" for="f-view">
            Show
          </label>
          <select class="form-select" id="f-view" name="view">
            <option value="variants">one row per variant</option>
            <option value="transcripts" selected={q.view === "transcripts"}>
              one row per transcript
            </option>
          </select>
        </div>
        <div class="col-auto">
          <label class="form-label" for="f-limit">
            Rows per page
          </label>
          <select class="form-select" id="f-limit" name="limit">
            {PAGE_SIZES.map((n) => (
              <option value={String(n)} selected={(q.limit ?? 50) === n}>
                {String(n)}
              </option>
            ))}
          </select>
        </div>
        {q.sort && q.sort !== "position" ? <input type="hidden" name="sort" value={q.sort} /> : null}
        {q.dir === "desc" ? <input type="hidden" name="dir" value="desc" /> : null}
        <div class="col-auto">
          <button type="submit" class="btn btn-primary">
            Filter
          </button>{" "}
          <a href={p.base} class="btn btn-outline-secondary" data-results-nav="">
            Reset
          </a>
        </div>
      </div>
    </form>
  );
}
