/**
 * Ensembl VEP's CSQ INFO field, the form bcftools +split-vep, VEP's filter_vep and VEP-reading
 * pipelines read: one comma-separated entry per allele × feature, `|`-separated fields named in
 * the `##INFO=<ID=CSQ,…,Description="Consequence annotations from Ensembl VEP. Format: …">`
 * header, in VEP's order (OutputFactory/VCF.pm's columns, then its flag columns as
 * Constants.pm orders them). Written as VEP writes it (OutputFactory/VCF.pm): VEP's consequence
 * vocabulary `&`-joined, empty fields for absent values, `,` and `|` inside a value as `&`, `;` as
 * `%3B`, white space as `_`, and `=` in HGVSp as `%3D`.
 *
 * Like the ANN writer, entries are written as bytes: the columns that repeat for every variant on
 * a transcript (consequences to biotype; strand to MANE) are encoded once per transcript and term
 * set, and only the coding columns of coding entries are built as strings (see csq-coding.ts).
 */
import { type AlleleEffect, NONE } from "../consequence/allele-effect.ts";
import { hgvsCMaxBytes, putHgvsC } from "../hgvs/hgvs-c.ts";
import type { PickMode } from "../consequence/pick.ts";
import type { KnownMatch } from "../known/known-variants.ts";
import type { TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import type { Allele, Transcript, TranscriptSequence } from "../model.ts";
import { type HgvsCSpans, putHgvsP } from "./ann-field.ts";
import { ByteBuilder, concatBytes, encodeOnce, putAscii, putBytes, putInt } from "../io/byte-builder.ts";
import {
  aminoAcidsAndCodons,
  codingEdit,
  exonRange,
  intronRange,
  type Range,
  residueOf,
  type TxSpan,
  txSpan,
  vepHgvsP,
} from "./csq-coding.ts";

/** VEP's columns GAS fills (or leaves empty where it has no data yet), in VEP's order. */
export const CSQ_FIELDS = [
  "Allele",
  "Consequence",
  "IMPACT",
  "SYMBOL",
  "Gene",
  "Feature_type",
  "Feature",
  "BIOTYPE",
  "EXON",
  "INTRON",
  "HGVSc",
  "HGVSp",
  "cDNA_position",
  "CDS_position",
  "Protein_position",
  "Amino_acids",
  "Codons",
  "Existing_variation",
  "DISTANCE",
  "STRAND",
  "FLAGS",
  "SYMBOL_SOURCE",
  "HGNC_ID",
  "CANONICAL",
  "MANE_SELECT",
] as const;

const KNOWN_PREFIX = "KNOWN_";

/**
 * The known-variant INFO keys (`KNOWN_AF`, `KNOWN_gnomADe_AF`, `KNOWN_CLIN_SIG`, …) in the order
 * their header lines declare them; in CSQ each is a column under VEP's name (the key without
 * `KNOWN_`: `AF`, `gnomADe_AF`, `CLIN_SIG`), after the fixed columns.
 */
export function csqKnownKeys(knownHeaderLines: readonly string[]): string[] {
  const keys: string[] = [];
  for (const line of knownHeaderLines) {
    const m = /^##INFO=<ID=([^,>]+)/.exec(line);
    if (m && m[1]!.startsWith(KNOWN_PREFIX)) keys.push(m[1]!);
  }
  return keys;
}

/**
 * The ##INFO line declaring CSQ with its Format, as VEP words it (parsers read the part after
 * `Format: `). `pickColumn` (`--flag-pick`) adds VEP's PICK column where VEP puts it: after FLAGS
 * (Constants.pm's flag_pick comes after the `user` flags IMPACT, DISTANCE, STRAND, FLAGS).
 */
export function csqHeaderLine(knownKeys: readonly string[], pickColumn = false): string {
  const fixed: string[] = [...CSQ_FIELDS];
  if (pickColumn) fixed.splice(fixed.indexOf("FLAGS") + 1, 0, "PICK");
  const fields = [...fixed, ...knownKeys.map((k) => k.slice(KNOWN_PREFIX.length))];
  return `##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: ${fields.join("|")}">`;
}

/** A value as VEP's VCF writer puts it in CSQ: `,` and `|` → `&`, `;` → `%3B`, white space → `_`. */
export function vepEscape(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 59 || c === 124 || c <= 32) return value.replace(/[,|]/g, "&").replace(/;/g, "%3B").replace(/\s+/g, "_");
  }
  return value;
}

const PIPE = 124;
const AMP = 38;
const COMMA = 44;
const EMPTY = new Uint8Array(0);
/** The PICK column: none (no column), empty (an entry not chosen) or `|1` (VEP writes 1 for the chosen entry). */
const PICK_NONE = 0;
const PICK_EMPTY = 1;
const PICK_MARK = 2;
/** After Consequence and IMPACT: SYMBOL..BIOTYPE (5) and EXON..Codons (9) empty for an intergenic entry. */
const INTERGENIC_MIDDLE = encodeOnce("|".repeat(14));
/** EXON..Codons of an up/downstream entry: 9 empty fields. */
const FLANK_MIDDLE = encodeOnce("|".repeat(9));
/** STRAND and FLAGS of an intergenic entry: empty. */
const INTERGENIC_TAIL_HEAD = "||";
/** SYMBOL_SOURCE..MANE_SELECT of an intergenic entry: 4 empty fields. */
const INTERGENIC_TAIL_REST = "||||";

/** Per transcript: the pieces every entry on it repeats (its `Consequence|IMPACT|SYMBOL|Gene|Transcript|Feature|BIOTYPE|` by TermSet id are the layout's pieces.csq). */
interface TranscriptPieces {
  /** `SYMBOL|Gene|Transcript|Feature|BIOTYPE|`. */
  middle: Uint8Array;
  /** `ENST….version:` for HGVSc. */
  reference: Uint8Array;
  /** `ENSP….version:` for HGVSp, as VEP writes it; the transcript's reference when the models name no protein. */
  proteinReference: Uint8Array;
  /** `|STRAND|FLAGS`. */
  tailHead: string;
  /** `|SYMBOL_SOURCE|HGNC_ID|CANONICAL|MANE_SELECT` (PICK, when written, goes between the two). */
  tailRest: string;
  /** Entry tails by tailKey (see tailPiece). */
  tails: Uint8Array[];
  /** An up/downstream entry's `Consequence|…|BIOTYPE|` and its 9 empty fields EXON..Codons, by TermSet id. */
  flankHeads: Uint8Array[];
}

/**
 * Which tail an entry ends with: its PICK column (PICK_NONE, PICK_EMPTY, PICK_MARK), the number of empty known-variant
 * columns that follow (those of an allele that matched none: nearly all), and whether the
 * DISTANCE column is empty and part of the tail (every entry but up/downstream).
 */
function tailKey(pick: number, emptyKnown: number, withDistance: boolean): number {
  return ((emptyKnown * 3 + pick) << 1) | (withDistance ? 1 : 0);
}

/**
 * The end of an entry as one piece: `[|]` (the empty DISTANCE, when withDistance), `|STRAND|FLAGS`,
 * the PICK column, `|SYMBOL_SOURCE|HGNC_ID|CANONICAL|MANE_SELECT` and the empty known columns:
 * copied once per entry where they were up to four pieces (fewer copies; see ann-field.ts entryPrefix).
 */
function tailPiece(tails: Uint8Array[], head: string, rest: string, pick: number, emptyKnown: number, withDistance: boolean): Uint8Array {
  const key = tailKey(pick, emptyKnown, withDistance);
  let tail = tails[key];
  if (tail === undefined) {
    const text = `${withDistance ? "|" : ""}${head}${pick === PICK_MARK ? "|1" : pick === PICK_EMPTY ? "|" : ""}${rest}${"|".repeat(emptyKnown)}`;
    tails[key] = tail = encodeOnce(text);
  }
  return tail;
}

/**
 * The pieces of transcript `t` with layout `l`, kept on the layout (hgvs/transcript-coordinates.ts
 * OutputPieces): a field read per entry; the WeakMap keyed by transcript it replaces was ~2 % of
 * the 1M-variant bench's samples.
 */
function piecesOf(t: Transcript, l: TranscriptLayout): TranscriptPieces {
  let p = l.pieces.csqTranscript as TranscriptPieces | null;
  if (p === null) {
    const featureId = l.featureId;
    const startIncomplete = l.startIncomplete;
    const endIncomplete = l.endIncomplete;
    // SYMBOL: the models' gene name (the model falls back to the gene ID when there is none);
    // VEP writes a space in a symbol as %20.
    const symbol = t.geneName !== t.geneId ? vepEscape(t.geneName.replace(/\s/g, "%20")) : "";
    const flags = [startIncomplete ? "cds_start_NF" : "", endIncomplete ? "cds_end_NF" : ""].filter(Boolean).join("&");
    const canonical = t.tags.includes("Ensembl_canonical") ? "YES" : "";
    const reference = encodeOnce(`${vepEscape(featureId)}${t.version !== null ? `.${t.version}` : ""}:`);
    // VEP's HGVSp names the translation (ENSP00000284967.6:p.…); a RefSeq NP_….2 has its version in the ID.
    const protein =
      t.proteinId !== undefined
        ? encodeOnce(`${vepEscape(t.proteinId)}${t.proteinVersion !== undefined ? `.${t.proteinVersion}` : ""}:`)
        : reference;
    const xref = (v: string | undefined) => (v === undefined ? "" : vepEscape(v));
    p = {
      middle: encodeOnce(`${symbol}|${vepEscape(t.geneId)}|Transcript|${vepEscape(featureId)}|${vepEscape(t.biotype)}|`),
      reference,
      proteinReference: protein,
      tailHead: `|${t.strand}|${flags}`,
      tailRest: `|${xref(t.symbolSource)}|${xref(t.hgncId)}|${canonical}|${xref(t.maneSelect)}`,
      tails: [],
      flankHeads: [],
    };
    l.pieces.csqTranscript = p;
  }
  return p;
}

/** `terms|IMPACT|` in VEP's vocabulary, by TermSet id. */
const termsPieces: Uint8Array[] = [];

function termsPiece(e: AlleleEffect): Uint8Array {
  return (termsPieces[e.terms.id] ??= encodeOnce(`${e.consequences.join("&")}|${e.impact}|`));
}

const intergenicPrefixes: Uint8Array[] = [];

/** Intergenic entries' tails by tailKey. */
const intergenicTails: Uint8Array[] = [];

/** What the CSQ entries of one allele share: its Allele column, Existing_variation and known columns. */
interface AllelePieces {
  allele: string;
  existing: Uint8Array;
  /** The known columns of a matched allele, written after the tail; nothing for an allele that matched none. */
  known: Uint8Array;
  /** The number of empty known columns in the tail: all of them for an allele that matched none, else 0. */
  emptyKnown: number;
}

/** Writes the CSQ value of records, entry by entry, as VEP words it. */
export class CsqWriter {
  private readonly span: TxSpan = { cdna5: 0, cdna3: 0, cds5: 0, cds3: 0 };
  private readonly exon: Range = { lo: 0, hi: 0 };
  private readonly intron: Range = { lo: 0, hi: 0 };
  private readonly pieces: AllelePieces = { allele: "", existing: EMPTY, known: EMPTY, emptyKnown: 0 };
  private readonly scratch = new ByteBuilder(1024);

  /**
   * @param knownKeys the known-variant INFO keys that have CSQ columns (csqKnownKeys)
   * @param sequenceOf the spliced sequence of a transcript the allele overlaps (for codons)
   * @param pick VEP's transcript choice: `flag-pick` writes the PICK column (the header must say
   *   so: csqHeaderLine), `pick` / `pick-allele` / `per-gene` write only the chosen entries
   */
  constructor(
    private readonly knownKeys: readonly string[],
    private readonly sequenceOf: (t: Transcript) => TranscriptSequence | null,
    pick: PickMode = "none",
  ) {
    this.pickColumn = pick === "flag-pick";
    this.chosenOnly = pick !== "none" && pick !== "flag-pick";
  }

  private readonly pickColumn: boolean;
  private readonly chosenOnly: boolean;

  /**
   * Writes the CSQ value (without `CSQ=`) of a record's effects, in allele order; `matches` are
   * the known-variant matches of its annotated alleles, in the same order (empty without known
   * variants). `picked` (consequence/pick.ts `choose`) marks the chosen effects: with the PICK
   * column they get PICK=1, under pick / pick-allele / per-gene the others are not written.
   * `ann`: where the ANN writer just put these effects' HGVS.c in `out` (ann-field.ts
   * writeEffects), copied instead of written again; ignored when it holds other effects.
   */
  write(
    out: ByteBuilder,
    ref: string,
    altText: string,
    effects: readonly AlleleEffect[],
    matches: readonly (KnownMatch | null)[],
    picked: ArrayLike<number> | null = null,
    ann: HgvsCSpans | null = null,
  ): void {
    const spans = ann !== null && ann.effects === effects && ann.out === out ? ann : null;
    let allele: Allele | null = null;
    let k = -1;
    const pieces = this.pieces;
    let written = 0;
    for (let i = 0; i < effects.length; i++) {
      const e = effects[i]!;
      if (e.allele !== allele) {
        allele = e.allele;
        k++;
        pieces.allele = vepAllele(ref, altText, allele.vcfAlt);
        this.knownPieces(matches[k] ?? null, pieces);
      }
      if (this.chosenOnly && picked !== null && !picked[i]) continue;
      if (written++ > 0) out.byte(COMMA);
      const pick = this.pickColumn ? (picked?.[i] ? PICK_MARK : PICK_EMPTY) : PICK_NONE;
      if (e.transcript === null || e.layout === null) this.intergenicEntry(out, e, pieces, pick);
      else this.transcriptEntry(out, e, e.transcript, pieces, pick, spans, i);
    }
  }

  /** Existing_variation and the known columns of an allele, as views of `scratch` (valid until the next allele). */
  private knownPieces(match: KnownMatch | null, into: AllelePieces): void {
    if (match === null) {
      into.existing = EMPTY;
      into.known = EMPTY;
      into.emptyKnown = this.knownKeys.length;
      return;
    }
    const s = this.scratch;
    s.clear();
    for (let i = 0; i < match.ids.length; i++) {
      if (i > 0) s.byte(AMP);
      s.text(vepEscape(match.ids[i]!));
    }
    const existingEnd = s.length;
    for (const key of this.knownKeys) {
      s.byte(PIPE);
      const value = match.info[key];
      if (value !== undefined) s.text(vepEscape(value));
    }
    into.existing = s.bytes.subarray(0, existingEnd);
    into.known = s.bytes.subarray(existingEnd, s.length);
    into.emptyKnown = 0;
  }

  private intergenicEntry(out: ByteBuilder, e: AlleleEffect, a: AllelePieces, pick: number): void {
    const prefix = (intergenicPrefixes[e.terms.id] ??= concatBytes(termsPiece(e), INTERGENIC_MIDDLE));
    const tail = tailPiece(intergenicTails, INTERGENIC_TAIL_HEAD, INTERGENIC_TAIL_REST, pick, a.emptyKnown, true);
    out.reserve(a.allele.length + prefix.length + a.existing.length + tail.length + a.known.length + 1);
    const b = out.bytes;
    let p = putAscii(b, out.length, a.allele);
    b[p++] = PIPE;
    p = putBytes(b, p, prefix);
    p = putBytes(b, p, a.existing);
    p = putBytes(b, p, tail);
    out.length = putBytes(b, p, a.known);
  }

  private transcriptEntry(
    out: ByteBuilder,
    e: AlleleEffect,
    t: Transcript,
    a: AllelePieces,
    pick: number,
    spans: HgvsCSpans | null,
    index: number,
  ): void {
    const l = e.layout!;
    const tp = piecesOf(t, l);
    // Up/downstream entries (the only ones with a distance, ~30 % of all) have no positions,
    // numbers or HGVS: their fixed columns up to Codons are one piece.
    if (e.distance !== NONE) {
      const head = (tp.flankHeads[e.terms.id] ??= concatBytes(termsPiece(e), tp.middle, FLANK_MIDDLE));
      const tail = tailPiece(tp.tails, tp.tailHead, tp.tailRest, pick, a.emptyKnown, false);
      out.reserve(a.allele.length + head.length + a.existing.length + 12 + tail.length + a.known.length);
      const b = out.bytes;
      let p = putAscii(b, out.length, a.allele);
      b[p++] = PIPE;
      p = putBytes(b, p, head);
      p = putBytes(b, p, a.existing);
      b[p++] = PIPE;
      p = putInt(b, p, e.distance);
      p = putBytes(b, p, tail);
      out.length = putBytes(b, p, a.known);
      return;
    }
    const prefix = (l.pieces.csq[e.terms.id] ??= concatBytes(termsPiece(e), tp.middle));
    const tail = tailPiece(tp.tails, tp.tailHead, tp.tailRest, pick, a.emptyKnown, true);
    const allele = e.allele;
    if (allele.start === allele.end && allele.ref.length === 1 && e.cdnaPos === NONE && e.hgvsP.length === 0) {
      // An SNV off the exons (intronic: ~60 % of all entries): its rank and HGVSc, and no
      // positions, codons or HGVSp; written without the general path's ranges and spans.
      out.reserve(
        a.allele.length +
          prefix.length +
          2 * RANGE_MAX_BYTES +
          tp.reference.length +
          hgvsCMaxBytes(e) +
          16 +
          a.existing.length +
          tail.length +
          a.known.length,
      );
      const b = out.bytes;
      let p = putAscii(b, out.length, a.allele);
      b[p++] = PIPE;
      p = putBytes(b, p, prefix);
      const ranked = e.rankTotal > 0 && e.rankLo !== 0;
      if (ranked && e.rankTotal === l.exonCount) p = putRankOf(b, p, e.rankLo, l.exonCount);
      b[p++] = PIPE;
      if (ranked && e.rankTotal !== l.exonCount) p = putRankOf(b, p, e.rankLo, l.exonCount - 1);
      b[p++] = PIPE;
      p = putHgvsCColumn(b, p, tp.reference, l, e, spans, index);
      // HGVSc's end and HGVSp to Codons: empty.
      for (let i = 0; i < 7; i++) b[p++] = PIPE;
      p = putBytes(b, p, a.existing);
      p = putBytes(b, p, tail);
      out.length = putBytes(b, p, a.known);
      return;
    }
    const exon = this.exon;
    const intron = this.intron;
    const s = this.span;
    exon.lo = exon.hi = intron.lo = intron.hi = 0;
    s.cdna5 = s.cdna3 = s.cds5 = s.cds3 = 0;
    let aminoAcids = "";
    let codons = "";
    let hgvsP = "";
    if (allele.start === allele.end && allele.ref.length === 1) {
      // An SNV (most entries): its rank names its exon or intron, and the consequence code has
      // its cDNA and CDS positions.
      if (e.rankTotal > 0) {
        const r = e.rankTotal === l.exonCount ? exon : intron;
        r.lo = r.hi = e.rankLo;
      }
      if (e.cdnaPos !== NONE) {
        s.cdna5 = s.cdna3 = e.cdnaPos;
        if (e.cdsPos !== NONE) s.cds5 = s.cds3 = e.cdsPos;
      }
    } else {
      exonRange(l, allele.start, allele.end, exon);
      intronRange(l, allele.start, allele.end, intron);
      txSpan(l, allele, s);
    }
    // A structural variant has no sequence: no codons or amino acids (VEP writes none either).
    const edit = s.cds5 !== 0 && s.cds3 !== 0 && allele.sv === undefined ? codingEdit(l, this.sequenceOf(t), allele, s) : null;
    if (edit !== null) ({ aminoAcids, codons } = aminoAcidsAndCodons(edit));
    if (e.hgvsP.length > 0) hgvsP = vepHgvsP(e.hgvsP, edit);
    out.reserve(
      a.allele.length +
        prefix.length +
        4 * RANGE_MAX_BYTES +
        tp.reference.length +
        tp.proteinReference.length +
        hgvsCMaxBytes(e) +
        3 * hgvsP.length +
        aminoAcids.length +
        codons.length +
        a.existing.length +
        tail.length +
        a.known.length +
        16,
    );
    const b = out.bytes;
    let p = putAscii(b, out.length, a.allele);
    b[p++] = PIPE;
    p = putBytes(b, p, prefix);
    p = putRanks(b, p, exon, l.exonCount);
    b[p++] = PIPE;
    p = putRanks(b, p, intron, l.exonCount - 1);
    b[p++] = PIPE;
    p = putHgvsCColumn(b, p, tp.reference, l, e, spans, index);
    b[p++] = PIPE;
    if (hgvsP.length > 0) {
      p = putBytes(b, p, tp.proteinReference);
      p = putHgvsP(out, p, hgvsP);
    }
    b[p++] = PIPE;
    p = putRange(b, p, s.cdna5, s.cdna3);
    b[p++] = PIPE;
    p = putRange(b, p, s.cds5, s.cds3);
    b[p++] = PIPE;
    p = putRange(b, p, residueOf(l, s.cds5), residueOf(l, s.cds3));
    b[p++] = PIPE;
    p = putAscii(b, p, aminoAcids);
    b[p++] = PIPE;
    p = putAscii(b, p, codons);
    b[p++] = PIPE;
    p = putBytes(b, p, a.existing);
    // The empty DISTANCE, STRAND to MANE_SELECT and, with known variants on, the known columns
    // (26 with the demo bundle), empty for the ~97 % of alleles that match none: one piece.
    p = putBytes(b, p, tail);
    out.length = putBytes(b, p, a.known);
  }
}

/** Room putRange / putRanks may need: two 10-digit numbers, `-`, `/` and a total. */
const RANGE_MAX_BYTES = 36;

/** VEP's format_coords: `lo`, `lo-hi`, `?-hi` or `lo-?` (0 = an absent end); nothing when both are absent. */
function putRange(b: Uint8Array, p: number, lo: number, hi: number): number {
  if (lo === 0 && hi === 0) return p;
  if (lo === hi) return putInt(b, p, lo);
  if (lo === 0)
    b[p++] = 63; // ?
  else p = putInt(b, p, lo);
  b[p++] = 45; // -
  if (hi === 0) b[p++] = 63;
  else p = putInt(b, p, hi);
  return p;
}

/** HGVSc: `ENST….version:` and the description, ANN's copied when `spans` holds it; nothing without one. */
function putHgvsCColumn(
  b: Uint8Array,
  p: number,
  reference: Uint8Array,
  l: TranscriptLayout,
  e: AlleleEffect,
  spans: HgvsCSpans | null,
  index: number,
): number {
  if (e.hgvsKind === 0) return p;
  p = putBytes(b, p, reference);
  return spans === null ? putHgvsC(b, p, l, e) : copyHgvsC(b, p, spans, index);
}

/** The ANN entry's HGVS.c of effect `i`, earlier in the same buffer (a dozen or two bytes: a loop, not `set`). */
function copyHgvsC(b: Uint8Array, p: number, spans: HgvsCSpans, i: number): number {
  const to = spans.to[i]!;
  for (let q = spans.from[i]!; q < to; q++) b[p++] = b[q]!;
  return p;
}

/** EXON / INTRON of one exon or intron: `N/TOTAL`. */
function putRankOf(b: Uint8Array, p: number, rank: number, total: number): number {
  p = putInt(b, p, rank);
  b[p++] = 47; // /
  return putInt(b, p, total);
}

/** EXON / INTRON: `N/TOTAL` or `N-M/TOTAL`, nothing when no exon / intron is hit. */
function putRanks(b: Uint8Array, p: number, r: Range, total: number): number {
  if (r.lo === 0) return p;
  p = putRange(b, p, r.lo, r.hi);
  b[p++] = 47; // /
  return putInt(b, p, total);
}

/**
 * VEP's Allele for an ALT of a VCF record (Parser/VCF.pm): when any ALT's length differs from
 * REF's and REF and every ALT (but `*`) share their first base, that base is dropped (`-` when
 * nothing is left); otherwise the ALT as written.
 */
export function vepAllele(ref: string, altText: string, alt: string): string {
  if (altText.indexOf(",") < 0) {
    // One ALT (nearly every record): no array.
    if (alt.length === ref.length || alt.charCodeAt(0) !== ref.charCodeAt(0)) return alt;
    return alt.slice(1) || "-";
  }
  const alts = altText.split(",");
  if (!alts.some((x) => x.length !== ref.length)) return alt;
  const first = ref.charCodeAt(0);
  for (const x of alts) if (x !== "*" && x.charCodeAt(0) !== first) return alt;
  return alt === "*" ? alt : alt.slice(1) || "-";
}
