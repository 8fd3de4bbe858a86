import type { Annotation, Transcript } from "../model.ts";
import { type AlleleEffect, messagesOf, NONE } from "../consequence/allele-effect.ts";
import { hgvsCMaxBytes, putHgvsC } from "../hgvs/hgvs-c.ts";
import { TX_POS_MAX_BYTES, type TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import { ByteBuilder, concatBytes, encodeOnce, putAscii, putBytes, putInt, putText } from "../io/byte-builder.ts";
import { toSnpEffTerms } from "./snpeff-terms.ts";

/**
 * The community "VCF annotation format" (ANN), as written by SnpEff and read by most downstream
 * tools: one comma-separated entry per allele × feature, 16 pipe-separated fields.
 */
export const ANN_FIELDS = [
  "Allele",
  "Annotation",
  "Annotation_Impact",
  "Gene_Name",
  "Gene_ID",
  "Feature_Type",
  "Feature_ID",
  "Transcript_BioType",
  "Rank",
  "HGVS.c",
  "HGVS.p",
  "cDNA.pos / cDNA.length",
  "CDS.pos / CDS.length",
  "AA.pos / AA.length",
  "Distance",
  "ERRORS / WARNINGS / INFO",
] as const;

/** The ##INFO line that declares ANN, in the wording parsers (SnpSift, bcftools +split-vep) expect. */
export const ANN_HEADER_LINE = `##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: '${ANN_FIELDS.join(" | ")}' ">`;

// Characters that would break the INFO field or the ANN structure are percent-encoded, as VCF 4.3
// specifies for INFO values (VEP writes `p.Leu5%3D` the same way); `p.=`-style HGVS survives.
const RESERVED = /[,;=|%\s]/g;
const encodeReserved = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;

function clean(value: string): string {
  // Fast path: almost every value is a plain identifier.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 59 || c === 61 || c === 124 || c === 37 || c <= 32) return value.replace(RESERVED, encodeReserved);
  }
  return value;
}

// Gene, feature and biotype repeat for every variant that hits a transcript: their cleaned
// middle section is encoded once per feature (the profiler showed ANN formatting as the hot spot).
const middleCache = new Map<string, Uint8Array>();
const MIDDLE_CACHE_LIMIT = 200_000;

function middleFields(a: Annotation): Uint8Array {
  return a.featureType === "transcript"
    ? transcriptMiddle(a.featureId, a.geneName, a.geneId, a.biotype)
    : encodeOnce(`${clean(a.geneName)}|${clean(a.geneId)}|${a.featureType}|${clean(a.featureId)}|${clean(a.biotype)}|`);
}

/** `Gene_Name|Gene_ID|transcript|Feature_ID|Transcript_BioType|`, cached by feature ID. */
function transcriptMiddle(featureId: string, geneName: string, geneId: string, biotype: string): Uint8Array {
  const hit = middleCache.get(featureId);
  if (hit !== undefined) return hit;
  const middle = encodeOnce(`${clean(geneName)}|${clean(geneId)}|transcript|${clean(featureId)}|${clean(biotype)}|`);
  if (!featureId) return middle;
  if (middleCache.size >= MIDDLE_CACHE_LIMIT) middleCache.clear();
  middleCache.set(featureId, middle);
  return middle;
}

const INTERGENIC_MIDDLE = encodeOnce("||intergenic_region|||");

// `terms|impact|gene|gene ID|transcript|feature|biotype|` as one piece per feature and term set:
// one copy per entry instead of two (measured on the 1M-variant benchmark: copies of cached
// pieces were ~8 % of the time), kept on the transcript's layout: a field read per entry, where a
// Map keyed by feature ID cost a string hash lookup.
function entryPrefix(e: AlleleEffect, t: Transcript, l: TranscriptLayout): Uint8Array {
  const byTerms = l.pieces.ann;
  const hit = byTerms[e.terms.id];
  if (hit !== undefined) return hit;
  const prefix = concatBytes(termsAndImpact(e), transcriptMiddle(l.featureId, t.geneName, t.geneId, t.biotype));
  byTerms[e.terms.id] = prefix;
  return prefix;
}

// The consequence code hands out one shared array per distinct term set (finishTerms), so the
// `terms|impact|` section is encoded once per set and found by the array's identity. The terms
// are written in SnpEff's vocabulary (snpeff-terms.ts), which costs nothing per entry here.
interface TermsSection {
  impact: string;
  bytes: Uint8Array;
}
const termsCache = new Map<readonly string[], TermsSection>();
const TERMS_CACHE_LIMIT = 10_000;

function termsAndImpact(a: { consequences: readonly string[]; impact: string }): Uint8Array {
  const hit = termsCache.get(a.consequences);
  if (hit !== undefined && hit.impact === a.impact) return hit.bytes;
  const bytes = encodeOnce(`${toSnpEffTerms(a.consequences).join("&")}|${a.impact}|`);
  // Arrays not from finishTerms (tests, hand-made entries) would only fill the cache: bounded.
  if (termsCache.size >= TERMS_CACHE_LIMIT) termsCache.clear();
  termsCache.set(a.consequences, { impact: a.impact, bytes });
  return bytes;
}

const PIPE = 124;
const AMP = 38;
const COMMA = 44;
const EQUALS_ESCAPED = encodeOnce("%3D");

/** Writes one ANN entry (without the `ANN=` key) as UTF-8. */
export function writeAnnEntry(out: ByteBuilder, a: Annotation): void {
  out.text(a.allele);
  out.byte(PIPE);
  out.raw(termsAndImpact(a));
  out.raw(middleFields(a));
  out.text(a.rank);
  out.byte(PIPE);
  // HGVS.c never holds a reserved character; HGVS.p only the `=` of a synonymous change.
  out.text(a.hgvsC);
  out.byte(PIPE);
  if (a.hgvsP.length > 0) writeHgvsP(out, a.hgvsP);
  out.byte(PIPE);
  out.text(a.cdnaPos);
  out.byte(PIPE);
  out.text(a.cdsPos);
  out.byte(PIPE);
  out.text(a.aaPos);
  out.byte(PIPE);
  out.text(a.distance);
  out.byte(PIPE);
  const messages = a.messages;
  for (let i = 0; i < messages.length; i++) {
    if (i > 0) out.byte(AMP);
    out.text(clean(messages[i]!));
  }
}

/**
 * Writes one ANN entry from an AlleleEffect: the same text as writeAnnEntry(toAnnotation(e)),
 * with numbers written as digits and the repeated columns copied from cached bytes. Room for the
 * whole entry is reserved once and the bytes are written through a local position (see putInt).
 */
export function writeEffectEntry(out: ByteBuilder, e: AlleleEffect, spans: HgvsCSpans | null = null, index = 0): void {
  const t = e.transcript;
  const l = e.layout;
  const alt = e.allele.vcfAlt;
  const prefix = t === null || l === null ? intergenicPrefix(e) : entryPrefix(e, t, l);
  const messages = e.messages === 0 ? null : messageBytes(e.messages);
  out.reserve(
    alt.length + prefix.length + 3 * TX_POS_MAX_BYTES + hgvsCMaxBytes(e) + 3 * e.hgvsP.length + 8 * 11 + (messages?.length ?? 0) + 16,
  );
  const b = out.bytes;
  let p = out.length;
  // ALT: ASCII bases (checked by the reader); most are one base.
  if (alt.length === 1) b[p++] = alt.charCodeAt(0);
  else p = putAscii(b, p, alt);
  b[p++] = PIPE;
  p = putBytes(b, p, prefix);
  if (e.rankTotal > 0) {
    p = putInt(b, p, e.rankLo);
    if (e.rankHi !== e.rankLo) {
      b[p++] = 45; // -
      p = putInt(b, p, e.rankHi);
    }
    b[p++] = 47; // /
    p = putInt(b, p, e.rankTotal);
  }
  b[p++] = PIPE;
  if (l !== null) {
    const from = p;
    p = putHgvsC(b, p, l, e);
    if (spans !== null) spans.set(index, from, p);
  }
  b[p++] = PIPE;
  if (e.hgvsP.length > 0) p = putHgvsP(out, p, e.hgvsP);
  b[p++] = PIPE;
  if (l !== null) {
    p = putSlash(b, p, e.cdnaPos, l.cdnaLength);
    b[p++] = PIPE;
    p = putSlash(b, p, e.cdsPos, l.cdsLength);
    b[p++] = PIPE;
    p = putSlash(b, p, e.aaPos, l.aaLength);
  } else {
    b[p++] = PIPE;
    b[p++] = PIPE;
  }
  b[p++] = PIPE;
  if (e.distance !== NONE) p = putInt(b, p, e.distance);
  b[p++] = PIPE;
  if (messages !== null) p = putBytes(b, p, messages);
  out.length = p;
}

/** `terms|impact||intergenic_region|||` by TermSet id. */
const intergenicPrefixes: Uint8Array[] = [];

function intergenicPrefix(e: AlleleEffect): Uint8Array {
  return (intergenicPrefixes[e.terms.id] ??= concatBytes(termsAndImpact(e), INTERGENIC_MIDDLE));
}

function putSlash(b: Uint8Array, p: number, n: number, total: number): number {
  if (n === NONE) return p;
  p = putInt(b, p, n);
  b[p++] = 47; // /
  return putInt(b, p, total);
}

// HGVS.c never holds a reserved character; HGVS.p only the `=` of a synonymous change.
function writeHgvsP(out: ByteBuilder, p: string): void {
  out.reserve(3 * p.length + 3);
  out.length = putHgvsP(out, out.length, p);
}

/** Writes HGVS.p at `at` with the `=` of a synonymous change as `%3D` (VEP escapes it the same way in CSQ). */
export function putHgvsP(out: ByteBuilder, at: number, p: string): number {
  if (p.charCodeAt(p.length - 1) === 61 /* = */) {
    at = putText(out, at, p.slice(0, -1));
    return putBytes(out.bytes, at, EQUALS_ESCAPED);
  }
  return putText(out, at, p);
}

const messageCache: Uint8Array[] = [];

/** The `&`-joined messages of a flag set, encoded once per set. */
function messageBytes(flags: number): Uint8Array {
  let b = messageCache[flags];
  if (b === undefined) messageCache[flags] = b = encodeOnce(messagesOf(flags).map(clean).join("&"));
  return b;
}

/**
 * Where writeEffects put each entry's HGVS.c in the output builder, so that the CSQ writer, which
 * writes the same description for the same effect right after, copies those bytes instead of
 * working them out again (a copy of a dozen bytes against putHgvsC's digits: ~6 % of the format
 * stage on the 1M-variant bench).
 */
export class HgvsCSpans {
  /** The builder and effects the spans are for (by identity): a CSQ writer handed others must not use them. */
  out: ByteBuilder | null = null;
  effects: readonly AlleleEffect[] | null = null;
  /** `out.bytes[from[i], to[i])` is the HGVS.c of effects[i] (set for every entry on a transcript). */
  from = new Int32Array(16);
  to = new Int32Array(16);

  /** Starts spans for `effects` written into `out`. */
  begin(out: ByteBuilder, effects: readonly AlleleEffect[]): void {
    const n = effects.length;
    if (this.from.length < n) {
      this.from = new Int32Array(n * 2);
      this.to = new Int32Array(n * 2);
    }
    this.out = out;
    this.effects = effects;
  }

  set(i: number, from: number, to: number): void {
    this.from[i] = from;
    this.to[i] = to;
  }
}

/**
 * Writes the ANN value of a record's effects: entries in allele order, most severe first within an
 * allele. With `spans`, records where each entry's HGVS.c went (HgvsCSpans).
 */
export function writeEffects(out: ByteBuilder, effects: readonly AlleleEffect[], spans: HgvsCSpans | null = null): void {
  if (spans !== null) spans.begin(out, effects);
  for (let i = 0; i < effects.length; i++) {
    if (i > 0) out.byte(COMMA);
    writeEffectEntry(out, effects[i]!, spans, i);
  }
}

/** One ANN entry (without the `ANN=` key), as a string. */
export function formatAnnEntry(a: Annotation): string {
  const out = new ByteBuilder(256);
  writeAnnEntry(out, a);
  return out.toString();
}
