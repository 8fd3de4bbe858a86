/**
 * Reads a job's results store (the SQLite file the engine writes beside the VCF, see
 * annotator/output/results-store-writer.ts): totals and the summary, a filtered and sorted page of
 * variants with keyset paging, one variant and its transcripts. Read-only, a small page cache of
 * its own, every query an index walk bounded by the page size, so memory does not grow with the
 * store. Queries are synchronous (bun:sqlite): the web role runs them off its event loop (a worker
 * thread), never on it.
 */
import { Database, type Statement } from "bun:sqlite";
import { SO_TERMS } from "../annotator/consequence/so-terms.ts";
import type { BrowseRow } from "../annotator/index.ts";
import { IMPACT_RANK, RESULTS_STORE_FORMAT, type StoreSummaryCounts } from "../annotator/output/results-store-writer.ts";

export type Impact = keyof typeof IMPACT_RANK;
const IMPACTS = Object.keys(IMPACT_RANK) as Impact[];

/** ClinVar significance classes a filter names; each matches the store's normalized `clin_sig` tokens. */
export const CLIN_SIG_CLASSES = [
  "pathogenic",
  "likely_pathogenic",
  "uncertain_significance",
  "conflicting",
  "likely_benign",
  "benign",
  "drug_response",
  "risk_factor",
  "other",
] as const;
export type ClinSigClass = (typeof CLIN_SIG_CLASSES)[number];

/** Genotype classes of the sample filter: heterozygous, homozygous ALT, or either (any ALT call). */
export const GENOTYPE_CLASSES = ["het", "hom_alt", "non_ref"] as const;
export type GenotypeClass = (typeof GENOTYPE_CLASSES)[number];

/** Every filter is optional; given ones combine with AND, the values within one with OR. */
export interface VariantFilter {
  /** Genes by name (case-insensitive), any the variant touches, not only its most severe effect's. */
  genes?: readonly string[];
  /** Gene names starting with this (case-insensitive); ORed with `genes`. */
  genePrefix?: string;
  /** Most severe consequence is one of these SO terms. */
  consequences?: readonly string[];
  /** Highest impact is one of these. */
  impacts?: readonly Impact[];
  /** Biotype of the most severe effect's feature is one of these. */
  biotypes?: readonly string[];
  /** `chrom`, `chrom:pos` or `chrom:start-end` (1-based, inclusive, commas allowed, `chr` optional). */
  region?: string;
  known?: boolean;
  /**
   * Known allele frequency range, inclusive; a variant without a frequency never matches. Applies
   * to the global frequency (KNOWN_AF), or to `afField` when given.
   */
  afMin?: number;
  afMax?: number;
  /** A population frequency of the known-variants file (one of summary().populations, e.g. `EUR_AF`). */
  afField?: string;
  /** ClinVar significance (KNOWN_CLIN_SIG) has one of these classes. */
  clinSig?: readonly ClinSigClass[];
  /** FILTER is PASS (true) or not PASS (false). */
  pass?: boolean;
  /** The sample (one of summary().samples) carries this ALT with this genotype class. */
  sample?: string;
  genotype?: GenotypeClass;
  /** Most severe effect is on a canonical (or MANE Select) transcript, when the gene models tag them. */
  canonical?: boolean;
  /** Free text (case-insensitive): an rsID or ID, a gene, a HGVS substring, a ClinVar term. */
  text?: string;
}

/** Every column of the per-variant view sorts. */
export const SORT_KEYS = [
  "position",
  "id",
  "gene",
  "consequence",
  "impact",
  "biotype",
  "hgvs_c",
  "hgvs_p",
  "af",
  "clin_sig",
  "filter",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface PageRequest {
  filter?: VariantFilter;
  /** Default position (input order, which is position order in a sorted VCF). */
  sort?: SortKey;
  descending?: boolean;
  /** Rows per page, 1–1000 (default 50). */
  limit?: number;
  /** A `next` cursor: the page after it. */
  after?: string;
  /** A `prev` cursor: the page before it. */
  before?: string;
  /** The last page (ignores after/before). */
  last?: boolean;
}

/** One annotated ALT with its most severe effect: that effect's BrowseRow columns, and the variant's. */
export interface VariantRow
  extends Pick<
    BrowseRow,
    | "line"
    | "chrom"
    | "pos"
    | "id"
    | "ref"
    | "alt"
    | "gene"
    | "geneId"
    | "featureType"
    | "feature"
    | "biotype"
    | "hgvsC"
    | "hgvsP"
    | "known"
  > {
  vid: number;
  /** Most severe consequence term, and every term of that effect (`&`-joined, as in BrowseRow). */
  consequence: string;
  consequences: string;
  impact: Impact;
  af: number | null;
  /** Effects (variant × transcript rows) of this variant. */
  transcripts: number;
}

export interface VariantPage {
  rows: VariantRow[];
  /** Cursors for the neighbouring pages; null at either end. */
  next: string | null;
  prev: string | null;
}

export interface StoreSummary extends StoreSummaryCounts {
  /** The engine's own summary (records, skipped, warnings…), as AnnotateSummary. */
  engine: Record<string, unknown>;
}

/** A query the store cannot answer: the caller's input was wrong (a 400, not a 500). */
export class ResultsQueryError extends Error {}

const SORT_EXPRESSIONS: Partial<Record<SortKey, string>> = {
  position: "vid",
  gene: "gene",
  consequence: "severity",
  impact: "impact_rank",
  af: "ifnull(af, -1)",
};

/**
 * A term matching at least this many variants is "broad" (see broadTerms): a page of 50 then costs
 * at most ~50 × total / BROAD_ROWS rows walked on the sort index (10k rows of 1M), against sorting
 * at least BROAD_ROWS matches.
 */
const BROAD_ROWS = 5000;

const SEVERITY = new Map(SO_TERMS.map((t, i) => [t.term, i]));

// Dictionary lookups as scalar subqueries (primary-key seeks per returned row): the planner then
// keeps walking the variants index in the ORDER BY's order instead of choosing a join order.
const VARIANT_COLUMNS = `v.vid, v.line, v.chrom, v.pos, v.id, v.ref, v.alt, v.severity, v.impact_rank, v.hgvs_c AS hgvsC,
  v.hgvs_p AS hgvsP, v.known, v.af, v.transcripts, (SELECT consequence FROM consequence_sets WHERE cid = v.cid) AS consequences,
  (SELECT json_array(feature_type, feature, gene, gene_id, biotype) FROM features WHERE fid = v.fid) AS feature_json`;

/** A row of VARIANT_COLUMNS as SQLite returns it. */
interface VariantRecord
  extends Pick<
    VariantRow,
    "vid" | "line" | "chrom" | "pos" | "id" | "ref" | "alt" | "hgvsC" | "hgvsP" | "af" | "transcripts" | "consequences"
  > {
  severity: number;
  impact_rank: number;
  known: number;
  feature_json: string;
  sort_key?: string | number;
}

type Param = string | number;

export class ResultsStore {
  private readonly statements = new Map<string, Statement>();

  private constructor(private readonly db: Database) {}

  /** Opens a store read-only; throws if the file is not a results store of a known format. */
  static open(path: string): ResultsStore {
    const db = new Database(path, { readonly: true, strict: true });
    try {
      // 8 MiB of page cache per open store; the OS page cache does the rest.
      db.run("PRAGMA cache_size = -8192");
      const format = db.query("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | null;
      if (format?.value.split("/")[0] !== RESULTS_STORE_FORMAT.split("/")[0])
        throw new Error(`${path} is not a results store (format ${format?.value ?? "missing"})`);
      return new ResultsStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
    this.db.close();
  }

  /** The counts written at annotation time (no row is read). */
  summary(): StoreSummary {
    const rows = this.query("SELECT key, value FROM summary").all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)])) as StoreSummary;
  }

  /** Variants matching the filter (all of them without one, from the summary). */
  count(filter: VariantFilter = {}): number {
    const where = buildWhere(filter);
    if (!where.sql) return (this.summary().variants as number | undefined) ?? 0;
    const row = this.query(`SELECT count(*) AS n FROM variants WHERE ${where.sql}`).get(...where.params) as { n: number };
    return row.n;
  }

  /** One page of variants, keyset-paged: as fast on the last page as on the first. */
  page(req: PageRequest = {}): VariantPage {
    const limit = req.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ResultsQueryError("limit must be a whole number from 1 to 1000");
    const sort = req.sort ?? "position";
    const key = SORT_EXPRESSIONS[sort];
    if (!key) throw new ResultsQueryError(`unknown sort "${sort}"`);
    const terms = filterTerms(req.filter ?? {});
    const filtered = where(terms, this.broadTerms(terms, sort));
    const conditions = filtered.sql ? [filtered.sql] : [];
    const params: Param[] = [...filtered.params];
    // Walking backwards (a prev cursor, or the last page) reads the index in reverse, then flips.
    const backwards = !req.last && req.before !== undefined;
    const reverse = req.last === true || backwards;
    const descending = (req.descending ?? false) !== reverse;
    const cursor = req.last ? null : (req.after ?? req.before ?? null);
    if (cursor !== null) {
      const [value, vid] = decodeCursor(cursor, sort);
      conditions.push(sort === "position" ? `vid ${descending ? "<" : ">"} ?` : `(${key}, vid) ${descending ? "<" : ">"} (?, ?)`);
      if (sort !== "position") params.push(value);
      params.push(vid);
    }
    const dir = descending ? "DESC" : "ASC";
    const order = sort === "position" ? `vid ${dir}` : `${key} ${dir}, vid ${dir}`;
    const sql = `SELECT ${VARIANT_COLUMNS}, ${key} AS sort_key FROM variants v${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ?`;
    const records = this.query(sql).all(...params, limit + 1) as VariantRecord[];
    const more = records.length > limit;
    if (more) records.pop();
    if (reverse) records.reverse();
    const rows = records.map(toVariantRow);
    const firstRec = records[0];
    const lastRec = records.at(-1);
    // Forward: there is a previous page when we came from a cursor; backward: a next page likewise.
    const hasNext = reverse ? cursor !== null : more;
    const hasPrev = reverse ? more : cursor !== null;
    return {
      rows,
      next: hasNext && lastRec ? encodeCursor(lastRec, sort) : null,
      prev: hasPrev && firstRec ? encodeCursor(firstRec, sort) : null,
    };
  }

  /**
   * The terms that match many rows. For those, walking the sort order's index and testing each row
   * finds a page sooner than collecting every match through the term's index and sorting it
   * (measured, 1M variants: first page by gene with impact MODIFIER, 991k matches, 113 ms through
   * the impact index, 0.1 ms walking the gene index). A bounded count decides: at most
   * BROAD_ROWS index entries are read per term.
   */
  private broadTerms(terms: readonly Term[], sort: SortKey): Set<Term> {
    const broad = new Set<Term>();
    for (const t of terms) {
      // A correlated condition's rows sit together on the sort index (impact HIGH at one end of
      // the consequence order): walking from the wrong end would read nearly every row.
      if (t.correlated.includes(sort)) continue;
      const probe = this.query(`SELECT count(*) AS n FROM (SELECT 1 FROM variants WHERE ${t.sql} LIMIT ${BROAD_ROWS})`).get(
        ...t.params,
      ) as { n: number };
      if (probe.n >= BROAD_ROWS) broad.add(t);
    }
    return broad;
  }

  /** One variant by its vid; null if there is none. */
  variant(vid: number): VariantRow | null {
    const rec = this.query(`SELECT ${VARIANT_COLUMNS} FROM variants v WHERE v.vid = ?`).get(vid) as VariantRecord | null;
    return rec ? toVariantRow(rec) : null;
  }

  /** Every effect of one variant (its rows of `--format tsv|json`), most severe first. */
  transcripts(vid: number): BrowseRow[] {
    // Columns in BROWSE_COLUMNS order and names, so a row serializes as --format json writes it.
    const recs = this.query(
      `SELECT v.line, v.chrom, v.pos, v.id, v.ref, v.alt, cs.consequence, cs.impact, f.gene, f.gene_id AS geneId,
        f.feature_type AS featureType, f.feature, f.biotype, t.rank, t.hgvs_c AS hgvsC, t.hgvs_p AS hgvsP,
        t.cdna_pos AS cdnaPos, t.cds_pos AS cdsPos, t.aa_pos AS aaPos, t.distance, v.known, v.af_text AS af, t.messages
       FROM transcripts t JOIN variants v ON v.vid = t.vid JOIN consequence_sets cs ON cs.cid = t.cid JOIN features f ON f.fid = t.fid
       WHERE t.vid = ? ORDER BY t.n`,
    ).all(vid) as (Omit<BrowseRow, "known"> & { known: number })[];
    return recs.map((r) => ({ ...r, known: r.known === 1 }));
  }

  private query(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

function toVariantRow(r: VariantRecord): VariantRow {
  const { severity, impact_rank, known, feature_json, sort_key: _, ...columns } = r;
  const [featureType = "", feature = "", gene = "", geneId = "", biotype = ""] = JSON.parse(feature_json) as string[];
  return {
    ...columns,
    consequence: SO_TERMS[severity]?.term ?? r.consequences.split("&")[0]!,
    impact: IMPACTS[impact_rank] ?? "MODIFIER",
    gene,
    geneId,
    featureType,
    feature,
    biotype,
    known: known === 1,
  };
}

/**
 * One condition of a filter: `sql` may use its index; `scan` is the same test written so that the
 * planner cannot (a unary `+` on the column), for when walking the sort order's index is cheaper.
 */
interface Term {
  /** The sort orders this condition is correlated with: walking their index would not find its rows spread evenly. */
  correlated: readonly SortKey[];
  sql: string;
  scan: string;
  params: Param[];
}

/** The conditions of a filter over `variants`, ANDed; none when nothing filters. */
export function filterTerms(f: VariantFilter): Term[] {
  const terms: Term[] = [];
  const marks = (values: readonly unknown[]) => values.map(() => "?").join(",");
  const genes = (f.genes ?? []).map((g) => g.trim()).filter(Boolean);
  const prefix = f.genePrefix?.trim();
  if (genes.length || prefix) {
    const alternatives: string[] = [];
    const params: Param[] = [];
    if (genes.length) {
      alternatives.push(`gene IN (${marks(genes)})`);
      params.push(...genes);
    }
    if (prefix) {
      // A range on the (NOCASE) primary key: an index seek, where LIKE 'x%' would scan.
      alternatives.push("(gene >= ? AND gene < ?)");
      params.push(prefix, `${prefix}\u{10ffff}`);
    }
    const sub = `(SELECT vid FROM variant_genes WHERE ${alternatives.join(" OR ")})`;
    // Genes are places: their variants cluster in position, and sort together by gene.
    terms.push({ correlated: ["position", "gene"], sql: `vid IN ${sub}`, scan: `+vid IN ${sub}`, params });
  }
  if (f.consequences?.length) {
    const ranks = f.consequences.map((c) => {
      const rank = SEVERITY.get(c);
      if (rank === undefined) throw new ResultsQueryError(`unknown consequence "${c}"`);
      return rank;
    });
    terms.push({
      correlated: ["consequence", "impact"],
      sql: `severity IN (${marks(ranks)})`,
      scan: `+severity IN (${marks(ranks)})`,
      params: ranks,
    });
  }
  if (f.impacts?.length) {
    const ranks = f.impacts.map((i) => {
      const rank = IMPACT_RANK[i];
      if (rank === undefined) throw new ResultsQueryError(`unknown impact "${i}"`);
      return rank;
    });
    terms.push({
      correlated: ["consequence", "impact"],
      sql: `impact_rank IN (${marks(ranks)})`,
      scan: `+impact_rank IN (${marks(ranks)})`,
      params: ranks,
    });
  }
  if (f.region) {
    const r = parseRegion(f.region);
    const test = (c: string) => `${c}chrom IN (${marks(r.chroms)}) AND pos BETWEEN ? AND ?`;
    terms.push({ correlated: ["position", "gene"], sql: test(""), scan: test("+"), params: [...r.chroms, r.start, r.end] });
  }
  if (f.known !== undefined) terms.push({ correlated: [], sql: "known = ?", scan: "known = ?", params: [f.known ? 1 : 0] });
  if (f.afMin !== undefined || f.afMax !== undefined) {
    const min = f.afMin ?? 0;
    const max = f.afMax ?? 1;
    if (!(min >= 0 && max >= min)) throw new ResultsQueryError("allele frequency range must have 0 ≤ min ≤ max");
    // The indexed expression; -1 (no frequency) is below any min, so such variants never match.
    terms.push({ correlated: ["af"], sql: "ifnull(af, -1) BETWEEN ? AND ?", scan: "+ifnull(af, -1) BETWEEN ? AND ?", params: [min, max] });
  }
  return terms;
}

/** The WHERE clause of a filter over `variants` with its parameters; "" when nothing filters. */
export function buildWhere(f: VariantFilter, broad: ReadonlySet<Term> = new Set()): { sql: string; params: Param[] } {
  const terms = filterTerms(f);
  return where(terms, broad);
}

function where(terms: readonly Term[], broad: ReadonlySet<Term>): { sql: string; params: Param[] } {
  return { sql: terms.map((t) => (broad.has(t) ? t.scan : t.sql)).join(" AND "), params: terms.flatMap((t) => t.params) };
}

/** `21:25,000,000-26,000,000`, `chr21:25000000`, `21` → the contig under both spellings and a range. */
export function parseRegion(text: string): { chroms: string[]; start: number; end: number } {
  const m = /^\s*([^:\s]+)(?::([\d,]+)(?:-([\d,]+))?)?\s*$/.exec(text);
  if (!m) throw new ResultsQueryError(`region "${text}" is not chrom:start-end`);
  const chrom = m[1]!;
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s.replaceAll(",", "")));
  const start = num(m[2]) ?? 1;
  const end = num(m[3]) ?? (m[2] ? start : Number.MAX_SAFE_INTEGER);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 1 || end < start)
    throw new ResultsQueryError(`region "${text}": start must be ≥ 1 and ≤ end`);
  const bare = chrom.replace(/^chr/i, "");
  return { chroms: [...new Set([chrom, bare, `chr${bare}`])], start, end };
}

function encodeCursor(r: VariantRecord, sort: SortKey): string {
  return Buffer.from(JSON.stringify(sort === "position" ? [r.vid] : [r.sort_key, r.vid])).toString("base64url");
}

function decodeCursor(cursor: string, sort: SortKey): [Param, number] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
    if (Array.isArray(v)) {
      if (sort === "position" && v.length === 1 && Number.isInteger(v[0])) return [v[0], v[0]];
      if (sort !== "position" && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number") && Number.isInteger(v[1]))
        return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  throw new ResultsQueryError("invalid page cursor (it belongs to another sort order, or was altered)");
}
