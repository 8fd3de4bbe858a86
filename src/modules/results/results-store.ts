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
import {
  EFFECT_SEPARATOR,
  FIELD_SEPARATOR,
  IMPACT_RANK,
  RESULTS_STORE_FORMAT,
  type StoreSummaryCounts,
} from "../annotator/output/results-store-writer.ts";
import { CLIN_SIG_CLASSES, type ClinSigClass } from "../annotator/output/clin-sig.ts";

export type Impact = keyof typeof IMPACT_RANK;
const IMPACTS = Object.keys(IMPACT_RANK) as Impact[];

/** ClinVar significance classes a filter names, as the writer classifies KNOWN_CLIN_SIG (one list, clin-sig.ts). */
export { CLIN_SIG_CLASSES, type ClinSigClass };

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
  /**
   * The transcripts view only: effects the run's transcript choice chose (true) or passed over
   * (false), for a job run with --pick, --per-gene, --flag-pick…
   */
  picked?: boolean;
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
  /**
   * 0-based ordinal of the record in the annotated VCF (several ALTs of one record share it); null
   * in a store converted from an old job's JSON rows, which did not record it.
   */
  rec: number | null;
  /** Most severe consequence term, and every term of that effect (`&`-joined, as in BrowseRow). */
  consequence: string;
  consequences: string;
  impact: Impact;
  af: number | null;
  /** Population frequencies of the known variant (summary().populations names), those it has. */
  afs: Record<string, number>;
  /** FILTER as written (`PASS`, `.`, `q10`). */
  filter: string;
  /** ClinVar significance as the known-variants file writes it (`not_provided|pathogenic`), "" when none. */
  clinSig: string;
  /** The most severe effect is on a transcript tagged Ensembl_canonical or MANE_Select. */
  canonical: boolean;
  /** Effects (variant × transcript rows) of this variant. */
  transcripts: number;
  /** Genotype class of this ALT per sample: only from `variant(vid)`, on a store with samples. */
  samples?: SampleGenotype[];
}

export interface SampleGenotype {
  name: string;
  genotype: GenotypeClass | "hom_ref" | "missing";
}

export interface VariantPage {
  rows: VariantRow[];
  /** Cursors for the neighbouring pages; null at either end. */
  next: string | null;
  prev: string | null;
}

/** One effect of a variant (a row of `--format tsv|json`) with its place: variant `vid`, effect `n` (0 = most severe). */
export interface TranscriptRow extends BrowseRow {
  vid: number;
  n: number;
  /** Chosen by the run's transcript choice; absent when the run made none. */
  picked?: boolean;
}

export interface TranscriptPage {
  rows: TranscriptRow[];
  next: string | null;
  prev: string | null;
}

/** A record the engine skipped (unknown contig, symbolic ALT) or annotated with a warning (REF mismatch). */
export interface StoreIssue {
  /** Order of the issue in the input; pass the last one seen as `after` for the next page. */
  id: number;
  line: number;
  chrom: string;
  pos: number;
  kind: "skipped" | "warning";
  message: string;
}

export interface StoreSummary extends StoreSummaryCounts {
  /** The engine's own summary (records, skipped, warnings…), as AnnotateSummary. */
  engine: Record<string, unknown>;
}

/** A query the store cannot answer: the caller's input was wrong (a 400, not a 500). */
export class ResultsQueryError extends Error {}

/** What the filters need to know about a store: its populations, samples, and whether canonical is tagged. */
export interface StoreFacts {
  populations: readonly string[];
  samples: readonly string[];
  canonicalTagged: boolean;
  /** vid order is (chrom, pos) order (summary().sorted). */
  sorted?: boolean;
  /** The run's transcript choice (summary().pick): other than "none", effects carry `picked`. */
  pick?: string;
}

const SORT_EXPRESSIONS: Record<SortKey, string> = {
  position: "vid",
  id: "id",
  gene: "gene",
  consequence: "severity",
  impact: "impact_rank",
  biotype: "biotype",
  hgvs_c: "hgvs_c",
  hgvs_p: "hgvs_p",
  af: "ifnull(af, -1)",
  clin_sig: "clin_rank",
  filter: "filter",
};

/**
 * A term matching at least this many variants is "broad" (see broadTerms): a page of 50 then costs
 * at most ~50 × total / BROAD_ROWS rows walked on the sort index (10k rows of 1M), against sorting
 * at least BROAD_ROWS matches.
 */
const BROAD_ROWS = 5000;
/** Variants per query when the iterators walk a whole set. */
const ITERATE_ROWS = 1000;

const SEVERITY = new Map(SO_TERMS.map((t, i) => [t.term, i]));
const GENOTYPE_OF: Readonly<Record<string, SampleGenotype["genotype"]>> = { "0": "hom_ref", "1": "het", "2": "hom_alt", ".": "missing" };

/** A row of variantColumns() as SQLite returns it. */
interface VariantRecord {
  vid: number;
  rec: number | null;
  line: number;
  chrom: string;
  pos: number;
  id: string;
  ref: string;
  alt: string;
  cid: number;
  fid: number;
  severity: number;
  impact_rank: number;
  hgvsC: string;
  hgvsP: string;
  known: number;
  af: number | null;
  afText: string;
  transcripts: number;
  filter: string;
  clinSig: string;
  canonical: number;
  sort_key?: string | number;
  [paf: `paf${number}`]: number | null;
}

interface Feature {
  featureType: string;
  feature: string;
  gene: string;
  geneId: string;
  biotype: string;
}

type Param = string | number;

export class ResultsStore {
  private readonly statements = new Map<string, Statement>();
  /** Dictionary entries by id: bounded by the reference's features and consequence sets, not by the input. */
  private readonly features = new Map<number, Feature>();
  private readonly sets = new Map<number, { consequence: string; impact: string }>();
  private readonly columns: string;

  private constructor(
    private readonly db: Database,
    readonly facts: StoreFacts,
  ) {
    const pafs = facts.populations.map((_, k) => `, v.paf${k + 1}`).join("");
    this.columns = `v.vid, v.rec, v.line, v.chrom, v.pos, v.id, v.ref, v.alt, v.cid, v.fid, v.severity, v.impact_rank,
      v.hgvs_c AS hgvsC, v.hgvs_p AS hgvsP, v.known, v.af, v.af_text AS afText, v.transcripts, v.filter, v.clin_sig AS clinSig, v.canonical${pafs}`;
  }

  /** Opens a store read-only; throws if the file is not a results store of a known format. */
  static open(path: string): ResultsStore {
    const db = new Database(path, { readonly: true, strict: true });
    try {
      // 8 MiB of page cache per open store; the OS page cache does the rest.
      db.run("PRAGMA cache_size = -8192");
      const format = db.query("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | null;
      if (format?.value.split("/")[0] !== RESULTS_STORE_FORMAT.split("/")[0])
        throw new Error(`${path} is not a results store of format ${RESULTS_STORE_FORMAT} (format ${format?.value ?? "missing"})`);
      const populations = (db.query("SELECT name FROM populations ORDER BY k").all() as { name: string }[]).map((r) => r.name);
      const samples = (db.query("SELECT name FROM samples ORDER BY s").all() as { name: string }[]).map((r) => r.name);
      const flag = (key: string) =>
        (db.query("SELECT value FROM summary WHERE key = ?").get(key) as { value: string } | null)?.value === "true";
      const pick = (db.query("SELECT value FROM summary WHERE key = 'pick'").get() as { value: string } | null)?.value;
      return new ResultsStore(db, {
        populations,
        samples,
        canonicalTagged: flag("canonicalTagged"),
        sorted: flag("sorted"),
        pick: pick ? (JSON.parse(pick) as string) : "none",
      });
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
    const where = buildWhere(filter, this.facts);
    if (!where.sql) return (this.summary().variants as number | undefined) ?? 0;
    const row = this.query(`SELECT count(*) AS n FROM variants WHERE ${where.sql}`).get(...where.params) as { n: number };
    return row.n;
  }

  /** One page of variants, keyset-paged: as fast on the last page as on the first. */
  page(req: PageRequest = {}): VariantPage {
    const limit = checkLimit(req.limit ?? 50);
    if (req.filter?.picked !== undefined)
      throw new ResultsQueryError("the picked filter applies to the transcripts view (view=transcripts)");
    const sort = req.sort ?? "position";
    const key = SORT_EXPRESSIONS[sort];
    if (!key) throw new ResultsQueryError(`unknown sort "${sort}" (one of ${SORT_KEYS.join(", ")})`);
    const terms = filterTerms(req.filter ?? {}, this.facts);
    const filtered = this.where(terms, sort);
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
    // Every term selective (none broad, see broadTerms): collect the matches through the terms'
    // indexes and sort them. A `+` keeps the planner from walking the sort order's index instead,
    // which it chose for 5 ClinVar matches among 1M variants from ANALYZE's averages (1.3 s).
    const selective = filtered.selective ? "+" : "";
    const order = sort === "position" ? `${selective}vid ${dir}` : `${selective}${key} ${dir}, vid ${dir}`;
    const sql = `SELECT ${this.columns}, ${key} AS sort_key FROM variants v${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ?`;
    const records = this.query(sql).all(...params, limit + 1) as VariantRecord[];
    const more = records.length > limit;
    if (more) records.pop();
    if (reverse) records.reverse();
    const rows = records.map((r) => this.toVariantRow(r));
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
   * One page of the transcripts view: a row per variant × feature of the variants the filter
   * matches, in (vid, n) order (position; a variant's effects most severe first), keyset-paged on
   * (vid, n). Only the position order: a sort on an effect's column would need every effect indexed.
   */
  transcriptPage(req: PageRequest = {}): TranscriptPage {
    const limit = checkLimit(req.limit ?? 50);
    if ((req.sort ?? "position") !== "position") throw new ResultsQueryError("the transcripts view sorts by position only");
    const terms = filterTerms(req.filter ?? {}, this.facts);
    const filtered = this.where(terms, "position");
    const backwards = !req.last && req.before !== undefined;
    const reverse = req.last === true || backwards;
    const descending = (req.descending ?? false) !== reverse;
    const cursorText = req.last ? null : (req.after ?? req.before ?? null);
    const cursor = cursorText === null ? null : decodeTranscriptCursor(cursorText);
    const conditions = filtered.sql ? [filtered.sql] : [];
    const params: Param[] = [...filtered.params];
    if (cursor) {
      // The cursor's own variant may have effects left on either side of n.
      conditions.push(`vid ${descending ? "<=" : ">="} ?`);
      params.push(cursor[0]);
    }
    const picked = req.filter?.picked;
    if (picked !== undefined && (this.facts.pick ?? "none") === "none")
      throw new ResultsQueryError(
        "the picked filter cannot apply: this job was run without a transcript choice (pick, per-gene, flag-pick…)",
      );
    // Every variant has at least one effect: limit + 1 variants (+1 for the cursor's own) give limit
    // + 1 rows. Only the chosen effects (a variant may have none: --pick chooses one per record)
    // can take more variants: then the next ones are read after the last, until the page is full.
    const rows: TranscriptRow[] = [];
    let lastVid: number | null = null;
    outer: for (;;) {
      const more = lastVid === null ? [] : [`vid ${descending ? "<" : ">"} ?`];
      const where = [...conditions, ...more];
      const sql = `SELECT ${this.columns}, (SELECT packed FROM effects WHERE vid = v.vid) AS effects FROM variants v${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY vid ${descending ? "DESC" : "ASC"} LIMIT ?`;
      const records = this.query(sql).all(...params, ...(lastVid === null ? [] : [lastVid]), limit + 2) as (VariantRecord & {
        effects: string;
      })[];
      for (const r of records) {
        const effects = this.unpack(r);
        if (descending) effects.reverse();
        for (const t of effects) {
          if (cursor && t.vid === cursor[0] && (descending ? t.n >= cursor[1] : t.n <= cursor[1])) continue;
          if (picked !== undefined && t.picked !== picked) continue;
          rows.push(t);
          if (rows.length > limit) break outer;
        }
        lastVid = r.vid;
      }
      if (picked === undefined || records.length < limit + 2) break;
    }
    const more = rows.length > limit;
    if (more) rows.pop();
    if (reverse) rows.reverse();
    const hasNext = reverse ? cursor !== null : more;
    const hasPrev = reverse ? more : cursor !== null;
    const first = rows[0];
    const last = rows.at(-1);
    return {
      rows,
      next: hasNext && last ? encode([last.vid, last.n]) : null,
      prev: hasPrev && first ? encode([first.vid, first.n]) : null,
    };
  }

  /** Every variant the request matches, in its order, a keyset page at a time: memory holds one page whatever the set's size. */
  *iterate(req: Omit<PageRequest, "after" | "before" | "last" | "limit"> = {}): Generator<VariantRow> {
    let after: string | undefined;
    for (;;) {
      const page = this.page({ ...req, limit: ITERATE_ROWS, ...(after ? { after } : {}) });
      yield* page.rows;
      if (!page.next) return;
      after = page.next;
    }
  }

  /** Every effect of every variant the filter matches, in (vid, n) order, a page at a time. */
  *iterateTranscripts(req: Omit<PageRequest, "after" | "before" | "last" | "limit"> = {}): Generator<TranscriptRow> {
    let after: string | undefined;
    for (;;) {
      const page = this.transcriptPage({ ...req, limit: ITERATE_ROWS, ...(after ? { after } : {}) });
      yield* page.rows;
      if (!page.next) return;
      after = page.next;
    }
  }

  /**
   * The WHERE clause for a page in `sort` order: each term in the form that finds the page soonest.
   * A region in position order becomes a range of vids as well (the first and last vid in the
   * region, read from its index): for a sorted VCF the region is exactly that stretch of the
   * table, which the primary key walks directly, where sorting the region's matches by vid took
   * ~1 s for a region of 85k of 100k variants (load 15).
   */
  private where(terms: readonly Term[], sort: SortKey): { sql: string; params: Param[]; selective: boolean } {
    const broad = this.broadTerms(terms, sort);
    const parts: string[] = [];
    const params: Param[] = [];
    for (const t of terms) {
      if (t.vidRange && sort === "position") {
        // Sorted input: the region's first and last entries on the (chrom, pos) index are its
        // lowest and highest vid, two index seeks. Otherwise min/max read every entry in it
        // (403 ms for 854k of 1M variants, load 13).
        const r = this.facts.sorted
          ? {
              lo: (
                this.query(`SELECT vid FROM variants WHERE ${t.sql} ORDER BY chrom, pos, vid LIMIT 1`).get(...t.params) as {
                  vid: number;
                } | null
              )?.vid,
              hi: (
                this.query(`SELECT vid FROM variants WHERE ${t.sql} ORDER BY chrom DESC, pos DESC, vid DESC LIMIT 1`).get(...t.params) as {
                  vid: number;
                } | null
              )?.vid,
            }
          : (this.query(`SELECT min(vid) AS lo, max(vid) AS hi FROM variants WHERE ${t.sql}`).get(...t.params) as {
              lo: number | null;
              hi: number | null;
            });
        parts.push(`${t.scan} AND vid BETWEEN ? AND ?`);
        params.push(...t.params, r.lo ?? 1, r.hi ?? 0);
      } else if (t.geneNames && sort === "position" && this.facts.sorted) {
        // A gene is a place: on sorted input its variants lie between its first and last vid,
        // one seek each on the gene index and on variant_genes per name. Walking that stretch
        // replaced sorting every match (a last page of the 124k variants touching APP among 1M:
        // 2 s, load 13).
        let lo = Number.POSITIVE_INFINITY;
        let hi = 0;
        for (const g of t.geneNames) {
          for (const table of ["variants", "variant_genes"]) {
            const first = this.query(`SELECT vid FROM ${table} WHERE gene = ? ORDER BY gene, vid LIMIT 1`).get(g) as { vid: number } | null;
            const last = this.query(`SELECT vid FROM ${table} WHERE gene = ? ORDER BY gene DESC, vid DESC LIMIT 1`).get(g) as {
              vid: number;
            } | null;
            if (first) lo = Math.min(lo, first.vid);
            if (last) hi = Math.max(hi, last.vid);
          }
        }
        parts.push(`${t.scan} AND vid BETWEEN ? AND ?`);
        params.push(...t.params, Number.isFinite(lo) ? lo : 1, hi);
      } else {
        parts.push(broad.has(t) ? t.scan : t.sql);
        params.push(...t.params);
      }
    }
    const selective = terms.length > 0 && broad.size === 0 && terms.every((t) => t.sql !== t.scan && !t.correlated.includes(sort));
    return { sql: parts.join(" AND "), params, selective };
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
      if (t.correlated.includes(sort) || t.sql === t.scan) continue;
      const probe = this.query(`SELECT count(*) AS n FROM (SELECT 1 FROM variants WHERE ${t.sql} LIMIT ${BROAD_ROWS})`).get(
        ...t.params,
      ) as { n: number };
      if (probe.n >= BROAD_ROWS) broad.add(t);
    }
    return broad;
  }

  /** One variant by its vid, with its genotype per sample; null if there is none. */
  variant(vid: number): VariantRow | null {
    const rec = this.query(`SELECT ${this.columns}, v.gt FROM variants v WHERE v.vid = ?`).get(vid) as
      | (VariantRecord & { gt: string })
      | null;
    if (!rec) return null;
    const row = this.toVariantRow(rec);
    if (this.facts.samples.length)
      row.samples = this.facts.samples.map((name, s) => ({ name, genotype: GENOTYPE_OF[rec.gt[s] ?? "."] ?? "missing" }));
    return row;
  }

  /** Every effect of one variant (its rows of `--format tsv|json`), most severe first. */
  transcripts(vid: number): BrowseRow[] {
    const rec = this.query(
      `SELECT ${this.columns}, (SELECT packed FROM effects WHERE vid = v.vid) AS effects FROM variants v WHERE v.vid = ?`,
    ).get(vid) as (VariantRecord & { effects: string }) | null;
    return rec ? this.unpack(rec).map(({ vid: _, n: __, ...row }) => row) : [];
  }

  /** Skipped records and warnings in input order, `limit` (1–1000, default 100) after the issue `after`. */
  issues(opts: { limit?: number; after?: number } = {}): StoreIssue[] {
    const limit = checkLimit(opts.limit ?? 100);
    return this.query("SELECT iid AS id, line, chrom, pos, kind, message FROM issues WHERE iid > ? ORDER BY iid LIMIT ?").all(
      opts.after ?? 0,
      limit,
    ) as StoreIssue[];
  }

  /** A variant's packed effects as rows, in BROWSE_COLUMNS order and names (a row serializes as --format json writes it). */
  private unpack(r: VariantRecord & { effects: string }): TranscriptRow[] {
    const known = r.known === 1;
    const af = r.afText;
    return r.effects.split(EFFECT_SEPARATOR).map((packed, n) => {
      const [cid, fid, rank = "", hgvsC = "", hgvsP = "", cdnaPos = "", cdsPos = "", aaPos = "", distance = "", messages = "", mark] =
        packed.split(FIELD_SEPARATOR);
      const set = this.set(Number(cid));
      const f = this.feature(Number(fid));
      return {
        line: r.line,
        chrom: r.chrom,
        pos: r.pos,
        id: r.id,
        ref: r.ref,
        alt: r.alt,
        consequence: set.consequence,
        impact: set.impact,
        gene: f.gene,
        geneId: f.geneId,
        featureType: f.featureType,
        feature: f.feature,
        biotype: f.biotype,
        rank,
        hgvsC,
        hgvsP,
        cdnaPos,
        cdsPos,
        aaPos,
        distance,
        known,
        af,
        messages,
        vid: r.vid,
        n,
        ...(mark === undefined ? {} : { picked: mark === "1" }),
      };
    });
  }

  private feature(fid: number): Feature {
    let f = this.features.get(fid);
    if (!f) {
      f = (this.query("SELECT feature_type AS featureType, feature, gene, gene_id AS geneId, biotype FROM features WHERE fid = ?").get(
        fid,
      ) as Feature | null) ?? { featureType: "", feature: "", gene: "", geneId: "", biotype: "" };
      this.features.set(fid, f);
    }
    return f;
  }

  private set(cid: number): { consequence: string; impact: string } {
    let s = this.sets.get(cid);
    if (!s) {
      s = (this.query("SELECT consequence, impact FROM consequence_sets WHERE cid = ?").get(cid) as typeof s | null) ?? {
        consequence: "",
        impact: "",
      };
      this.sets.set(cid, s);
    }
    return s;
  }

  private toVariantRow(r: VariantRecord): VariantRow {
    const f = this.feature(r.fid);
    const afs: Record<string, number> = {};
    this.facts.populations.forEach((p, k) => {
      const v = r[`paf${k + 1}`];
      if (v !== null && v !== undefined) afs[p] = v;
    });
    const consequences = this.set(r.cid).consequence;
    return {
      vid: r.vid,
      rec: r.rec,
      line: r.line,
      chrom: r.chrom,
      pos: r.pos,
      id: r.id,
      ref: r.ref,
      alt: r.alt,
      consequence: SO_TERMS[r.severity]?.term ?? consequences.split("&")[0]!,
      consequences,
      impact: IMPACTS[r.impact_rank] ?? "MODIFIER",
      gene: f.gene,
      geneId: f.geneId,
      featureType: f.featureType,
      feature: f.feature,
      biotype: f.biotype,
      hgvsC: r.hgvsC,
      hgvsP: r.hgvsP,
      known: r.known === 1,
      af: r.af,
      afs,
      filter: r.filter,
      clinSig: r.clinSig,
      canonical: r.canonical === 1,
      transcripts: r.transcripts,
    };
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

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ResultsQueryError("limit must be a whole number from 1 to 1000");
  return limit;
}

/**
 * One condition of a filter: `sql` may use its index; `scan` is the same test written so that the
 * planner cannot (a unary `+` on the column), for when walking the sort order's index is cheaper.
 * A condition no index serves has `scan` equal to `sql`.
 */
interface Term {
  /** The sort orders this condition is correlated with: walking their index would not find its rows spread evenly. */
  correlated: readonly SortKey[];
  /** A region: in position order, bound the walk by the region's first and last vid (ResultsStore.where). */
  vidRange?: boolean;
  /** Genes by exact name: in position order on sorted input, bound the walk by their first and last vid. */
  geneNames?: readonly string[];
  sql: string;
  scan: string;
  params: Param[];
}

const NO_FACTS: StoreFacts = { populations: [], samples: [], canonicalTagged: false };

/** The conditions of a filter over `variants`, ANDed; none when nothing filters. */
export function filterTerms(f: VariantFilter, facts: StoreFacts = NO_FACTS): Term[] {
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
      // A range on the (NOCASE) index: a seek, where LIKE 'x%' would scan.
      alternatives.push("(gene >= ? AND gene < ?)");
      params.push(prefix, `${prefix}\u{10ffff}`);
    }
    const any = alternatives.join(" OR ");
    // The most severe effect's gene (variants.gene), or one of the other genes it touches (variant_genes).
    const sub = `(SELECT vid FROM variant_genes WHERE ${any})`;
    // Genes are places: their variants cluster in position, and sort together by gene.
    terms.push({
      correlated: ["position", "gene"],
      ...(prefix ? {} : { geneNames: genes }),
      sql: `(${any} OR vid IN ${sub})`,
      scan: `(${any.replaceAll("gene ", "+gene ")} OR +vid IN ${sub})`,
      params: [...params, ...params],
    });
  }
  if (f.consequences?.length) {
    const ranks = f.consequences.map((c) => {
      const rank = SEVERITY.get(c);
      if (rank === undefined) throw new ResultsQueryError(`unknown consequence "${c}"`);
      return rank;
    });
    terms.push(indexed(["consequence", "impact"], "severity", `IN (${marks(ranks)})`, ranks));
  }
  if (f.impacts?.length) {
    const ranks = f.impacts.map((i) => {
      const rank = IMPACT_RANK[i];
      if (rank === undefined) throw new ResultsQueryError(`unknown impact "${i}"`);
      return rank;
    });
    terms.push(indexed(["consequence", "impact"], "impact_rank", `IN (${marks(ranks)})`, ranks));
  }
  if (f.biotypes?.length) terms.push(indexed(["biotype"], "biotype", `IN (${marks(f.biotypes)})`, [...f.biotypes]));
  if (f.region) {
    const r = parseRegion(f.region);
    const test = (c: string) => `${c}chrom IN (${marks(r.chroms)}) AND pos BETWEEN ? AND ?`;
    terms.push({
      // In position order a region is a stretch; in gene order its genes are spread over the alphabet.
      correlated: ["position"],
      vidRange: true,
      sql: test(""),
      scan: test("+"),
      params: [...r.chroms, r.start, r.end],
    });
  }
  // Known variants carry rsIDs, novel ones mostly ".": the two sit at opposite ends of the ID order.
  if (f.known !== undefined) terms.push(indexed(["id"], "known", "= ?", [f.known ? 1 : 0]));
  if (f.afField !== undefined && !facts.populations.includes(f.afField)) {
    const offered = facts.populations.length ? `one of ${facts.populations.join(", ")}` : "none: the known-variants file has none";
    throw new ResultsQueryError(`unknown frequency field "${f.afField}" (${offered})`);
  }
  if (f.afMin !== undefined || f.afMax !== undefined) {
    const min = f.afMin ?? 0;
    const max = f.afMax ?? 1;
    if (!(min >= 0 && max >= min)) throw new ResultsQueryError("allele frequency range must have 0 ≤ min ≤ max");
    if (f.afField !== undefined) {
      // A partial index of the variants with a frequency in that population; BETWEEN never matches NULL.
      terms.push(indexed(["af"], `paf${facts.populations.indexOf(f.afField) + 1}`, "BETWEEN ? AND ?", [min, max]));
    } else {
      // The indexed expression; -1 (no frequency) is below any min, so such variants never match.
      terms.push(indexed(["af"], "ifnull(af, -1)", "BETWEEN ? AND ?", [min, max]));
    }
  }
  if (f.clinSig?.length) {
    let mask = 0;
    let worst = 0;
    for (const c of f.clinSig) {
      const i = CLIN_SIG_CLASSES.indexOf(c);
      if (i < 0) throw new ResultsQueryError(`unknown ClinVar class "${c}" (one of ${CLIN_SIG_CLASSES.join(", ")})`);
      mask |= 1 << i;
      worst = Math.max(worst, i);
    }
    // clin_rank is the variant's most significant class: one with class i has a rank ≤ i.
    terms.push({
      correlated: ["clin_sig"],
      sql: "clin_rank <= ? AND (clin_mask & ?) != 0",
      scan: "+clin_rank <= ? AND (clin_mask & ?) != 0",
      params: [worst, mask],
    });
  }
  if (f.pass !== undefined) terms.push(indexed(["filter"], "filter", f.pass ? "= 'PASS'" : "!= 'PASS'", []));
  if (f.genotype !== undefined && f.sample === undefined) throw new ResultsQueryError("a genotype filter needs a sample");
  if (f.sample !== undefined) {
    const s = facts.samples.indexOf(f.sample);
    if (s < 0) {
      const offered = facts.samples.length
        ? `one of ${facts.samples.slice(0, 20).join(", ")}${facts.samples.length > 20 ? ", …" : ""}`
        : "the input has no samples";
      throw new ResultsQueryError(`unknown sample "${f.sample}" (${offered})`);
    }
    const genotype = f.genotype ?? "non_ref";
    if (!GENOTYPE_CLASSES.includes(genotype))
      throw new ResultsQueryError(`unknown genotype "${genotype}" (one of ${GENOTYPE_CLASSES.join(", ")})`);
    const chars = { het: "'1'", hom_alt: "'2'", non_ref: "'1','2'" }[genotype];
    // One character per sample (see the writer): a scan, but a short one per row.
    const sql = `substr(gt, ?, 1) IN (${chars})`;
    terms.push({ correlated: [], sql, scan: sql, params: [s + 1] });
  }
  if (f.canonical !== undefined) {
    if (!facts.canonicalTagged)
      throw new ResultsQueryError(
        "the canonical filter cannot apply: this job's gene models tag no transcript as Ensembl_canonical or MANE_Select",
      );
    terms.push({ correlated: [], sql: "canonical = ?", scan: "canonical = ?", params: [f.canonical ? 1 : 0] });
  }
  const text = f.text?.trim();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    if (/[.>:]/.test(text)) {
      // Text a gene name, an ID or a ClinVar term cannot hold (`p.Ala713Thr`, `c.2137G>A`, `ENST…:c.1`)
      // is looked for in the HGVS columns only, and through their indexes: a scan of the 9 MB
      // HGVS.p index (or the 18 MB HGVS.c one) instead of the 115 MB table (1M variants, load 11:
      // counting 'p.Arg' 506–827 → 128–137 ms; its first page by position, which walked 533k rows to
      // the first match, 196–238 → 107–117 ms). `p.` is only in HGVS.p, `c.`/`n.` only in HGVS.c.
      const cols = /^p\./i.test(text) ? ["hgvs_p"] : /^[cn]\./i.test(text) ? ["hgvs_c"] : ["hgvs_c", "hgvs_p"];
      const sql = `vid IN (${cols.map((c) => `SELECT rowid FROM variants WHERE ${c} LIKE ? ESCAPE '\\'`).join(" UNION ALL ")})`;
      terms.push({ correlated: [], sql, scan: sql, params: cols.map(() => like) });
    } else {
      // Each LIKE is a pass over every row's text (5 LIKEs took 284 ms over 100k variants at load
      // 15, one 49 ms; the table scan alone 100 ms). The other genes a variant touches by name (an
      // index seek), not by substring (a scan of them all).
      const cols = ["id", "gene", "hgvs_c", "hgvs_p", "clin_sig"];
      const sql = `(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ")} OR vid IN (SELECT vid FROM variant_genes WHERE gene = ?))`;
      terms.push({ correlated: [], sql, scan: sql, params: [...cols.map(() => like), text] });
    }
  }
  return terms;
}

function indexed(correlated: readonly SortKey[], column: string, test: string, params: Param[]): Term {
  return { correlated, sql: `${column} ${test}`, scan: `+${column} ${test}`, params };
}

/** The WHERE clause of a filter over `variants` with its parameters; "" when nothing filters. */
export function buildWhere(
  f: VariantFilter,
  facts: StoreFacts = NO_FACTS,
  broad: ReadonlySet<Term> = new Set(),
): { sql: string; params: Param[] } {
  return where(filterTerms(f, facts), broad);
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

const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

function encodeCursor(r: VariantRecord, sort: SortKey): string {
  return encode(sort === "position" ? [r.vid] : [r.sort_key, r.vid]);
}

function decodeCursor(cursor: string, sort: SortKey): [Param, number] {
  const v = decode(cursor);
  if (Array.isArray(v)) {
    if (sort === "position" && v.length === 1 && Number.isInteger(v[0])) return [v[0], v[0]];
    if (sort !== "position" && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number") && Number.isInteger(v[1]))
      return [v[0], v[1]];
  }
  throw new ResultsQueryError("invalid page cursor (it belongs to another sort order, or was altered)");
}

function decodeTranscriptCursor(cursor: string): [number, number] {
  const v = decode(cursor);
  if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && Number.isInteger(v[1])) return [v[0], v[1]];
  throw new ResultsQueryError("invalid page cursor (it belongs to another view, or was altered)");
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
  } catch {
    return null;
  }
}
