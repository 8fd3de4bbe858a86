/**
 * The per-record half of the pipeline: from a batch of VCF records to output lines, browse rows
 * and counts. Used by annotate-file.ts on one thread and by each worker of parallel/.
 */
import type { StageClock } from "./stage-clock.ts";
import { type AlleleEffect, EffectPool, MessageFlag, toAnnotation } from "./consequence/allele-effect.ts";
import { transcriptEffectOn } from "./consequence/annotate-transcript.ts";
import { haplotypeConsequences, type PhasedRecord, type PhasedResult } from "./consequence/haplotypes.ts";
import { placementOn } from "./consequence/indel-placement.ts";
import { layoutOf, type TranscriptLayout } from "./hgvs/transcript-coordinates.ts";
import { choose, keepChosen } from "./consequence/pick.ts";
import { intergenicEffect } from "./consequence/intergenic.ts";
import { finishTerms, SO } from "./consequence/so-terms.ts";
import { structuralEffect } from "./consequence/structural-variant.ts";
import type { KnownMatch, KnownVariants } from "./known/known-variants.ts";
import type { Allele, GenomeWindow, Transcript } from "./model.ts";
import { SummaryCounter } from "./output/annotation-summary.ts";
import { HgvsCSpans, writeEffects } from "./output/ann-field.ts";
import { type AnnotationFields, DEFAULT_ANNOTATION_FIELDS, ownsInfoKey } from "./output/annotation-fields.ts";
import { type ByteBuilder, encodeOnce } from "./io/byte-builder.ts";
import { CANONICAL_TAGS, type RowBatch, toBrowseRow } from "./output/browse-rows.ts";
import { genotypeCalls, genotypeClasses } from "./vcf/genotype-classes.ts";
import { CsqWriter, csqKnownKeys } from "./output/csq-field.ts";
import { keptInfo, mergeIds, writeRecordHead, writeRecordTail } from "./output/vcf-record-line.ts";
import type { Reference } from "./reference/bundle.ts";
import { createTranscriptSequenceCache, type TranscriptSequenceCache } from "./reference/transcript-sequence.ts";
import { type SkippedAlt, splitAlleles } from "./vcf/allele.ts";
import type { VcfRecord } from "./vcf/vcf-reader.ts";

/** VEP's and SnpEff's reach for upstream/downstream_gene_variant. */
export const UP_DOWN_DISTANCE = 5000;
/**
 * Bases loaded around each cluster of variants: room for splice-site checks and for the 3′
 * shifting of indels in repeats, which the consequence code bounds well inside this.
 */
const WINDOW_PAD = 2000;
/** Records farther apart than this start a new genome and known-variant window (keeps windows small for sparse or unsorted input). */
const CLUSTER_GAP = 64_000;

/**
 * Annotates VCF records batch by batch: `prepare` loads what a batch needs (genome windows,
 * transcript sequences, known variants) asynchronously, then `annotateInto` is a synchronous,
 * tight loop per record. Keeping I/O out of the per-record path is what makes the engine fast.
 */
export class RecordAnnotator {
  counter = new SummaryCounter();
  recordsOnUnknownContigs = 0;
  private readonly warnedContigs = new Set<string>();
  private readonly contigCache = new Map<string, string | null>();
  /**
   * What `prepare` worked out for the batch, as parallel arrays reused batch after batch (an
   * object per record, with its arrays, was ~250 bytes of garbage per record): per record, the
   * reference contig and genome window, and its alleles as the range alleleFrom[i] ..
   * alleleFrom[i + 1] of `alleles`, with the transcripts near each allele in `nearby` and their
   * layouts in `nearbyLayouts` (index for index).
   */
  private contigs: (string | null)[] = [];
  private windows: (GenomeWindow | null)[] = [];
  private alleleFrom = new Int32Array(1);
  private alleles: Allele[] = [];
  private nearby: Transcript[][] = [];
  private nearbyLayouts: TranscriptLayout[][] = [];
  /** prepare's flags of the transcripts of one list whose sequence is asked for. */
  private neededScratch = new Uint8Array(64);
  /** --phased: the batch's compound consequences by record index (consequence/haplotypes.ts). */
  private phased: Map<number, PhasedResult> | null = null;
  /** ALTs that cannot be annotated, by record index (rare: symbolic alleles and the like). */
  private skipped = new Map<number, SkippedAlt[]>();
  private readonly pool = new EffectPool();
  private readonly effects: AlleleEffect[] = [];
  private readonly knownIds: string[] = [];
  private readonly knownInfo: (KnownMatch | null)[] = [];
  /** Null when CSQ is not written. */
  private readonly csq: CsqWriter | null;
  /** Where ANN put each entry's HGVS.c: CSQ copies it. */
  private readonly hgvsC = new HgvsCSpans();
  private readonly isOwnedKey: (key: string) => boolean;
  /** Rows (and, for the results store, facts and issues) since the last takeRows; null without rows. */
  private batch: RowBatch | null;
  /** `--timings`: the ANN/CSQ writing is charged to the clock's `format` stage (stage-clock.ts). */
  clock: StageClock | null = null;

  constructor(
    private readonly reference: Reference,
    private readonly sequences: TranscriptSequenceCache,
    private readonly known: KnownVariants | null,
    readonly wantRows: boolean,
    private readonly file: string,
    private readonly fields: AnnotationFields = DEFAULT_ANNOTATION_FIELDS,
    /** Also collect what the results store keeps beyond the rows (VariantFacts, RecordIssues). */
    readonly wantFacts = false,
  ) {
    this.batch = wantRows ? emptyBatch() : null;
    this.csq = fields.csq ? new CsqWriter(csqKnownKeys(known?.infoHeaderLines() ?? []), (t) => sequences.get(t), fields.pick) : null;
    this.isOwnedKey = (key) => ownsInfoKey(fields, key);
  }

  /**
   * Lets go of the batch's alleles, genome windows and transcript lists once its records are
   * written, so that a collection made between batches finds them dead (heap-trimmer.ts).
   */
  endBatch(): void {
    this.alleles.length = 0;
    this.nearby.length = 0;
    this.nearbyLayouts.length = 0;
    this.windows.length = 0;
    this.phased = null;
  }

  /** Loads everything `annotate` will need for these records. */
  async prepare(batch: readonly VcfRecord[]): Promise<void> {
    const n = batch.length;
    const contigs = this.contigs;
    const windows = this.windows;
    const alleles = this.alleles;
    contigs.length = n;
    windows.length = n;
    alleles.length = 0;
    this.skipped.clear();
    if (this.alleleFrom.length < n + 1) this.alleleFrom = new Int32Array(2 * n + 1);
    const from = this.alleleFrom;
    const byContig = new Map<string, number[]>();
    let lastChrom: string | null = null;
    let contig: string | null = null;
    let list: number[] | undefined;
    for (let i = 0; i < n; i++) {
      const rec = batch[i]!;
      from[i] = alleles.length;
      windows[i] = null;
      if (rec.chrom !== lastChrom) {
        lastChrom = rec.chrom;
        contig = this.resolve(rec.chrom);
        list = contig ? byContig.get(contig) : undefined;
        if (contig && !list) byContig.set(contig, (list = []));
      }
      contigs[i] = contig;
      if (!contig) continue;
      const snv = simpleSnv(rec, contig);
      if (snv !== null) {
        alleles.push(snv);
      } else {
        const split = splitAlleles(rec, contig);
        for (const a of split.alleles) alleles.push(a);
        if (split.skipped.length > 0) this.skipped.set(i, split.skipped);
      }
      list!.push(i);
    }
    from[n] = alleles.length;
    const nearby = this.nearby;
    const nearbyLayouts = this.nearbyLayouts;
    nearby.length = alleles.length;
    nearbyLayouts.length = alleles.length;
    // The transcript index hands out the same array for neighbouring positions: their layouts
    // are looked up once per array rather than per allele and transcript (WeakMap gets).
    let lastHits: Transcript[] | null = null;
    let lastLayouts: TranscriptLayout[] = [];
    let needed = this.neededScratch;
    const needSequence = new Set<Transcript>();
    const loads: Promise<void>[] = [];
    for (const [contig, indexes] of byContig) {
      for (const cluster of clusters(batch, indexes)) {
        loads.push(this.loadCluster(contig, cluster));
        if (this.known) loads.push(this.known.prefetch(contig, cluster.start - WINDOW_PAD, cluster.end + WINDOW_PAD));
      }
      for (const i of indexes) {
        for (let k = from[i]!; k < from[i + 1]!; k++) {
          const a = alleles[k]!;
          const hits = this.reference.transcripts.overlapping(contig, a.start, Math.max(a.start, a.end), UP_DOWN_DISTANCE);
          nearby[k] = hits;
          if (hits !== lastHits) {
            lastHits = hits;
            lastLayouts = hits.map(layoutOf);
            if (needed.length < hits.length) needed = new Uint8Array(2 * hits.length);
            else needed.fill(0, 0, hits.length);
          }
          nearbyLayouts[k] = lastLayouts;
          if (a.sv !== undefined) continue; // SV consequences read no sequence
          // Neighbouring alleles share their transcript list (the same array): a transcript of it
          // already asked for is passed over without its span test (a flag per list position,
          // cheaper than the Set; 5 % of the 1M-variant profile was this loop).
          for (let j = 0; j < hits.length; j++) {
            if (needed[j] === 1) continue;
            const t = hits[j]!;
            const at = a.spanLeft === undefined ? a : placementOn(a, t);
            // The span from the layout: Transcript objects are megamorphic (TranscriptLayout.start).
            const l = lastLayouts[j]!;
            if (at.end < l.start || at.start > l.end) continue;
            needed[j] = 1;
            needSequence.add(t);
          }
        }
      }
    }
    this.neededScratch = needed;
    if (needSequence.size) loads.push(this.sequences.ensure([...needSequence]));
    await Promise.all(loads);
    this.phased = this.fields.phased ? this.phasedBatch(batch) : null;
  }

  /** The compound consequences of the batch's phased haplotypes (records of one batch are combined). */
  private phasedBatch(batch: readonly VcfRecord[]): Map<number, PhasedResult> {
    const records: PhasedRecord[] = batch.map((rec, i) => {
      const alts = rec.alts;
      const alleles: (Allele | null)[] = alts.map(() => null);
      const transcripts = new Set<Transcript>();
      if (this.contigs[i]) {
        for (let k = this.alleleFrom[i]!; k < this.alleleFrom[i + 1]!; k++) {
          const a = this.alleles[k]!;
          if (a.sv !== undefined) continue; // no sequence change to combine (and no sequence loaded for it)
          const at = alts.indexOf(a.vcfAlt);
          if (at >= 0 && alleles[at] === null) alleles[at] = a;
          for (const t of this.nearby[k]!) if (a.end >= t.start && a.start <= t.end) transcripts.add(t);
        }
      }
      return { pos: rec.pos, ref: rec.ref, alleles, gts: rec.rest === "" ? null : genotypeCalls(rec.rest), transcripts: [...transcripts] };
    });
    return haplotypeConsequences(records, (t) => this.sequences.get(t));
  }

  private async loadCluster(contig: string, c: Cluster) {
    const window = await this.reference.genome.window(contig, Math.max(1, c.start - WINDOW_PAD), c.end + WINDOW_PAD);
    for (const i of c.members) this.windows[i] = window;
  }

  /** Annotates record `index` of the batch last given to `prepare`: its output line goes to `out`, its rows to the batch `takeRows` hands over. */
  annotateInto(rec: VcfRecord, index: number, out: ByteBuilder): void {
    const window = this.windows[index];
    const counter = this.counter;
    counter.records++;
    const facts = this.wantFacts ? this.batch : null;
    if (!this.contigs[index] || !window) {
      counter.skipped += rec.altCount;
      this.recordsOnUnknownContigs++;
      facts?.issues.push(issue(rec, "skipped", `contig "${rec.chrom}" is not in the reference; passed through unannotated`));
      if (!this.warnedContigs.has(rec.chrom)) {
        this.warnedContigs.add(rec.chrom);
        counter.warn(
          `${this.file}: line ${rec.line}: contig "${rec.chrom}" is not in the reference; its records are passed through unannotated`,
        );
      }
      writeRecordHead(out, rec, rec.id);
      out.text(rec.info);
      writeRecordTail(out, rec);
      return;
    }
    const skipped = this.skipped.size > 0 ? this.skipped.get(index) : undefined;
    if (skipped) {
      for (const s of skipped) {
        counter.skipped++;
        counter.warn(`${this.file}: line ${rec.line}: ALT "${s.alt}" not annotated: ${s.reason}`);
        facts?.issues.push(issue(rec, "skipped", `ALT "${clip(s.alt)}" not annotated: ${s.reason}`));
      }
    }
    const refOk = window.slice(rec.pos, rec.pos + rec.ref.length - 1) === rec.ref;
    if (!refOk) {
      counter.warn(`${this.file}: line ${rec.line}: REF "${clip(rec.ref)}" does not match the reference genome at ${rec.chrom}:${rec.pos}`);
      facts?.issues.push(issue(rec, "warning", `REF "${clip(rec.ref)}" does not match the reference genome`));
    }

    // Effects and their list are reused record after record (see EffectPool).
    this.pool.releaseAll();
    const all = this.effects;
    all.length = 0;
    const known = this.known;
    // Reused record after record: a few arrays per record were a visible share of the GC time
    // with known variants on.
    const knownIds: string[] = known ? this.knownIds : NO_IDS;
    const knownInfo: (KnownMatch | null)[] = known ? this.knownInfo : NO_MATCHES;
    // Guarded: setting the length of an empty array (NO_IDS without known variants) is a slow
    // path in JavaScriptCore, ~100 ns a record on the 1M-variant bench (5 % of its samples).
    if (knownIds.length !== 0) knownIds.length = 0;
    if (knownInfo.length !== 0) knownInfo.length = 0;
    let anyMatch = false;
    const rows = this.batch?.rows ?? null;
    // Genotype calls of the record's samples, split once for all its ALTs.
    const calls = facts && rec.rest !== "" ? genotypeCalls(rec.rest) : null;
    const first = this.alleleFrom[index]!;
    const end = this.alleleFrom[index + 1]!;
    const factsFrom = facts ? facts.variants.length : 0;
    for (let k = first; k < end; k++) {
      const allele = this.alleles[k]!;
      const from = all.length;
      this.annotateAllele(allele, this.nearby[k]!, this.nearbyLayouts[k]!, window, all);
      if (!refOk) for (let i = from; i < all.length; i++) all[i]!.messages |= MessageFlag.refMismatch;
      // Known variants are sequence alleles: a symbolic SV matches none.
      const matching = this.clock === null || !known ? 0 : performance.now();
      const match = known && allele.sv === undefined ? known.annotate(allele, window) : null;
      if (matching !== 0) this.clock!.charge("known", performance.now() - matching);
      if (known) {
        knownInfo.push(match);
        if (match) {
          anyMatch = true;
          for (const id of match.ids) if (!knownIds.includes(id)) knownIds.push(id);
        }
      }
      counter.countSortedEffects(all, match !== null, from, all.length);
      if (rows) {
        const ctx = {
          line: rec.line,
          chrom: rec.chrom,
          pos: rec.pos,
          id: mergeIds(rec.id, match?.ids ?? []),
          ref: rec.ref,
          known: match !== null,
          af: match?.info.KNOWN_AF ?? "",
        };
        for (let i = from; i < all.length; i++) rows.push(toBrowseRow(ctx, toAnnotation(all[i]!)));
        if (facts) {
          const tags = all[from]?.transcript?.tags;
          facts.variants.push({
            rows: all.length - from,
            rec: counter.records - 1,
            filter: rec.filter,
            known: match?.info ?? null,
            gt: calls ? genotypeClasses(calls, altIndexOf(rec, allele.vcfAlt)) : "",
            canonical: tags !== undefined && tags.some((t) => CANONICAL_TAGS.includes(t)),
          });
        }
      }
    }
    // VEP's transcript choice (--pick and friends) applies to ANN and CSQ; rows keep every effect,
    // marked chosen or not for the results browser.
    const pick = this.fields.pick ?? "none";
    const picked = pick === "none" ? null : choose(all, pick, this.fields.pickOrder);
    if (picked && facts) {
      let at = 0;
      for (let v = factsFrom; v < facts.variants.length; v++) {
        const f = facts.variants[v]!;
        f.picked = picked.subarray(at, at + f.rows).join("");
        at += f.rows;
      }
    }
    writeRecordHead(out, rec, mergeIds(rec.id, knownIds));
    const phased = this.phased?.get(index);
    const clock = this.clock;
    const formatting = clock === null ? 0 : performance.now();
    this.writeInfo(
      out,
      rec,
      keptInfo(rec.info, this.isOwnedKey),
      anyMatch ? knownFields(end - first, knownInfo) : NO_FIELDS,
      all,
      knownInfo,
      picked,
      phased === undefined ? "" : phasedInfo(phased),
    );
    if (clock !== null) clock.charge("format", performance.now() - formatting);
    if (phased !== undefined && phased.entries.length > 0) writeRecordTail(out, { ...rec, rest: withPhasedFormat(rec.rest, phased) });
    else writeRecordTail(out, rec);
  }

  /** Hands over the rows (with facts and issues) collected so far and starts a fresh batch; null without rows. */
  takeRows(): RowBatch | null {
    const taken = this.batch;
    if (taken) this.batch = emptyBatch();
    return taken;
  }

  /** INFO: what the input had (minus the engine's keys), then the known-variant fields, then ANN and CSQ; "." when empty. */
  private writeInfo(
    out: ByteBuilder,
    rec: VcfRecord,
    kept: string,
    knownFields: readonly string[],
    effects: readonly AlleleEffect[],
    matches: readonly (KnownMatch | null)[],
    picked: Uint8Array | null,
    phased = "",
  ): void {
    let first = true;
    if (kept) {
      out.text(kept);
      first = false;
    }
    for (const field of knownFields) {
      if (!first) out.byte(59); // ;
      out.text(field);
      first = false;
    }
    if (effects.length > 0) {
      if (this.fields.ann) {
        if (!first) out.byte(59);
        out.raw(ANN_KEY);
        writeEffects(out, picked !== null && this.fields.pick !== "flag-pick" ? keepChosen(effects, picked) : effects, this.hgvsC);
        first = false;
      }
      if (this.csq !== null) {
        if (!first) out.byte(59);
        out.raw(CSQ_KEY);
        this.csq.write(out, rec.ref, rec.altText, effects, matches, picked, this.hgvsC);
        first = false;
      }
    }
    if (phased !== "") {
      if (!first) out.byte(59);
      out.text(phased);
      first = false;
    }
    if (first) out.byte(46); // .
  }

  /** Appends the allele's effects to `into`, most severe first. */
  private annotateAllele(
    allele: Allele,
    transcripts: readonly Transcript[],
    layouts: readonly TranscriptLayout[],
    window: GenomeWindow,
    into: AlleleEffect[],
  ): void {
    const from = into.length;
    const pool = this.pool;
    if (allele.sv !== undefined) {
      for (const t of transcripts) {
        const fx = structuralEffect(allele, t, UP_DOWN_DISTANCE, pool.peek(allele, INTERGENIC));
        if (fx !== null) {
          pool.claim();
          into.push(fx);
        }
      }
    } else {
      for (let i = 0; i < transcripts.length; i++) {
        const t = transcripts[i]!;
        const at = allele.spanLeft === undefined ? allele : placementOn(allele, t);
        const l = layouts[i]!;
        const overlaps = at.end >= l.start && at.start <= l.end;
        const fx = transcriptEffectOn(
          allele,
          t,
          l,
          overlaps ? this.sequences.get(t) : null,
          window,
          UP_DOWN_DISTANCE,
          pool.peek(allele, INTERGENIC),
        );
        if (fx !== null) {
          pool.claim();
          into.push(fx);
        }
      }
    }
    if (into.length === from) {
      into.push(intergenicEffect(allele, pool.peek(allele, INTERGENIC)));
      pool.claim();
    } else if (into.length - from > 1) {
      sortBySeverity(into, from);
    }
  }

  /** Hands over the counts so far and starts a fresh counter (a worker reports per batch). */
  takeCounter(): SummaryCounter {
    const taken = this.counter;
    this.counter = new SummaryCounter();
    return taken;
  }

  private resolve(chrom: string): string | null {
    let c = this.contigCache.get(chrom);
    if (c === undefined) {
      c = this.reference.resolveContig(chrom);
      this.contigCache.set(chrom, c);
    }
    return c;
  }
}

/**
 * The annotator of a run's pipeline thread (annotate-file.ts on one thread, parallel/run-parallel.ts
 * beside its workers): the run's reference, known variants and fields, keeping what its outputs want.
 */
export function pipelineRecordAnnotator(
  run: { reference: Reference; input: string; fields?: AnnotationFields },
  outputs: { wantsRows: boolean; wantsFacts: boolean },
  known: KnownVariants | null,
): RecordAnnotator {
  return new RecordAnnotator(
    run.reference,
    createTranscriptSequenceCache(run.reference.genome),
    known,
    outputs.wantsRows,
    run.input,
    run.fields ?? DEFAULT_ANNOTATION_FIELDS,
    outputs.wantsFacts,
  );
}

const NO_FIELDS: readonly string[] = [];
const NO_IDS: string[] = [];
const NO_MATCHES: (KnownMatch | null)[] = [];

/**
 * The allele of a record with one upper-case SNV ALT, the commonest record, made directly (the
 * same Allele splitAlleles makes on its own fast path) without splitAlleles's result object and
 * arrays; null for anything else.
 */
function simpleSnv(rec: VcfRecord, contig: string): Allele | null {
  const alt = rec.altText;
  if (alt.length !== 1 || rec.ref.length !== 1 || alt === rec.ref) return null;
  const c = alt.charCodeAt(0);
  if (c !== 65 && c !== 67 && c !== 71 && c !== 84 && c !== 78) return null; // A C G T N
  return { contig, start: rec.pos, end: rec.pos, ref: rec.ref, alt, vcfAlt: alt };
}
const INTERGENIC = finishTerms([SO.intergenic]);

/**
 * Most severe first, in output/severity-order.ts's bySeverity order (impact, then VEP's term
 * order) via the TermSet's precomputed key, as SnpEff orders ANN; stable otherwise (index order =
 * genomic order). An insertion sort of effects[from..]: a variant has a handful of entries.
 */
function sortBySeverity(effects: AlleleEffect[], from: number): void {
  for (let i = from + 1; i < effects.length; i++) {
    const fx = effects[i]!;
    const key = fx.terms.severity;
    let j = i - 1;
    while (j >= from && effects[j]!.terms.severity > key) {
      effects[j + 1] = effects[j]!;
      j--;
    }
    effects[j + 1] = fx;
  }
}

const ANN_KEY = encodeOnce("ANN=");
const CSQ_KEY = encodeOnce("CSQ=");

/** Per-ALT (Number=A) INFO values of the known-variant matches, "." where an ALT has none. */
function knownFields(altCount: number, matches: readonly (KnownMatch | null)[]): string[] {
  // One ALT matching one known record (nearly every match): its fields, rendered once per record.
  const one = matches[0];
  if (altCount === 1 && one) return (one.fields ??= Object.keys(one.info).map((k) => `${k}=${one.info[k]}`));
  const keys = new Set<string>();
  for (const m of matches) if (m) for (const k of Object.keys(m.info)) keys.add(k);
  const out: string[] = [];
  for (const key of keys) {
    const values: string[] = [];
    for (let i = 0; i < altCount; i++) values.push(matches[i]?.info[key] ?? ".");
    out.push(`${key}=${values.join(",")}`);
  }
  return out;
}

interface Cluster {
  start: number;
  end: number;
  members: number[];
}

/** Groups a contig's records into position clusters, so each cluster loads one genome window. */
function clusters(batch: readonly VcfRecord[], indexes: readonly number[]): Cluster[] {
  // Input is usually sorted already: check before paying for a comparator sort (~1.5 % of the 1M bench).
  const sorted = isSortedByPos(batch, indexes) ? indexes : [...indexes].sort((a, b) => batch[a]!.pos - batch[b]!.pos);
  const out: Cluster[] = [];
  let cur: Cluster | null = null;
  for (const i of sorted) {
    const rec = batch[i]!;
    const end = rec.pos + rec.ref.length - 1;
    if (cur && rec.pos - cur.end <= CLUSTER_GAP) {
      cur.end = Math.max(cur.end, end);
      cur.members.push(i);
    } else {
      cur = { start: rec.pos, end, members: [i] };
      out.push(cur);
    }
  }
  return out;
}

function isSortedByPos(batch: readonly VcfRecord[], indexes: readonly number[]): boolean {
  for (let k = 1; k < indexes.length; k++) if (batch[indexes[k]!]!.pos < batch[indexes[k - 1]!]!.pos) return false;
  return true;
}

function emptyBatch(): RowBatch {
  return { rows: [], variants: [], issues: [], recordBase: 0 };
}

function issue(rec: VcfRecord, kind: "skipped" | "warning", message: string) {
  return { line: rec.line, chrom: rec.chrom, pos: rec.pos, kind, message };
}

/** 1-based index of an ALT among the record's (what GT calls it). */
function altIndexOf(rec: VcfRecord, alt: string): number {
  return rec.altText === alt ? 1 : rec.alts.indexOf(alt) + 1;
}

/** INFO/HCSQ and INFO/HCSQ_UNPHASED of a record (output/annotation-fields.ts declares them). */
function phasedInfo(r: PhasedResult): string {
  const parts: string[] = [];
  if (r.entries.length > 0) parts.push(`HCSQ=${r.entries.join(",")}`);
  if (r.unphased.length > 0) parts.push(`HCSQ_UNPHASED=${r.unphased.map((s) => s + 1).join(",")}`);
  return parts.join(";");
}

/** The FORMAT and sample columns with FORMAT/HCSQ, each sample's haplotype bit mask, appended. */
function withPhasedFormat(rest: string, r: PhasedResult): string {
  const cols = rest.split("\t");
  cols[0] = `${cols[0]}:HCSQ`;
  for (let s = 1; s < cols.length; s++) cols[s] = `${cols[s]}:${r.masks[s - 1] ?? 0}`;
  return cols.join("\t");
}

function clip(s: string): string {
  return s.length > 20 ? `${s.slice(0, 20)}…` : s;
}
