/**
 * An allele's effect on one transcript (or on no transcript: intergenic), as numbers and shared
 * pieces rather than the strings of an Annotation. The VCF writer turns it into ANN text directly;
 * `toAnnotation` gives the Annotation (browse rows, tests), worded by the same writer code.
 *
 * Why: most variants hit ~3 transcripts and are written once; building an Annotation's dozen
 * strings (rank, HGVS, positions) per entry and then concatenating them was the bulk of the
 * annotator's time.
 */
import type { HgvsCParts } from "../hgvs/hgvs-c.ts";
import { hgvsCText } from "../hgvs/hgvs-c.ts";
import type { TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import type { Allele, Annotation, Impact, Transcript } from "../model.ts";
import type { TermSet } from "./so-terms.ts";

/** Message flags, in the order the messages are written. */
export const MessageFlag = { noStartCodon: 1, noStopCodon: 2, realigned: 4, refMismatch: 8 } as const;

const MESSAGE_TEXT = [
  "WARNING_TRANSCRIPT_NO_START_CODON",
  "WARNING_TRANSCRIPT_NO_STOP_CODON",
  "INFO_REALIGN_3_PRIME",
  "WARNING_REF_DOES_NOT_MATCH_GENOME",
];

/** The messages of a flag set, in ANN order (a fresh array). */
export function messagesOf(flags: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < MESSAGE_TEXT.length; i++) if (flags & (1 << i)) out.push(MESSAGE_TEXT[i]!);
  return out;
}

/** `-1` marks an absent number (positions, distance). */
export const NONE = -1;

export class AlleleEffect implements HgvsCParts {
  allele: Allele;
  /** Null for an intergenic effect. */
  transcript: Transcript | null = null;
  layout: TranscriptLayout | null = null;
  /** The consequence terms, shared per term set (see finishTerms): never mutate. */
  terms: TermSet;
  /** Rank `lo[-hi]/total`; total 0 = no rank. */
  rankLo = 0;
  rankHi = 0;
  rankTotal = 0;
  hgvsKind = 0;
  hgvsCdna1 = 0;
  hgvsOffset1 = 0;
  hgvsSpan = false;
  hgvsCdna2 = 0;
  hgvsOffset2 = 0;
  hgvsRefCode = 0;
  hgvsAltCode = 0;
  hgvsBases = "";
  realigned = false;
  hgvsP = "";
  /** cDNA, CDS and protein positions (the `/length` comes from the layout), or NONE. */
  cdnaPos = NONE;
  cdsPos = NONE;
  aaPos = NONE;
  /** Bases to the transcript for up/downstream, or NONE. */
  distance = NONE;
  /** MessageFlag bits. */
  messages = 0;

  constructor(allele: Allele, terms: TermSet) {
    this.allele = allele;
    this.terms = terms;
  }

  /** Makes this a fresh effect of `allele` (pooled objects are reused record after record). */
  reset(allele: Allele, terms: TermSet, transcript: Transcript | null, layout: TranscriptLayout | null): void {
    this.allele = allele;
    this.terms = terms;
    this.transcript = transcript;
    this.layout = layout;
    this.rankLo = 0;
    this.rankHi = 0;
    this.rankTotal = 0;
    this.hgvsKind = 0;
    this.hgvsSpan = false;
    this.hgvsBases = "";
    this.realigned = false;
    this.hgvsP = "";
    this.cdnaPos = NONE;
    this.cdsPos = NONE;
    this.aaPos = NONE;
    this.distance = NONE;
    this.messages = 0;
  }

  /** Most severe first, as TermSet.severity. */
  get consequences(): string[] {
    return this.terms.consequences;
  }

  get impact(): Impact {
    return this.terms.impact;
  }

  get severity(): number {
    return this.terms.severity;
  }

  /** Sets the rank; lo and hi in either order. */
  setRank(a: number, b: number, total: number): void {
    this.rankLo = a <= b ? a : b;
    this.rankHi = a <= b ? b : a;
    this.rankTotal = total;
  }
}

/**
 * Reusable AlleleEffects for one record at a time: the annotator makes ~3 per variant, and
 * allocating them (30 fields each) measured ~8 % of the 1M-variant benchmark with the GC work.
 * Effects taken from the pool stay valid until `releaseAll`.
 */
export class EffectPool {
  private readonly items: AlleleEffect[] = [];
  private used = 0;

  /** The next free effect; it stays free (the next `peek` returns it again) until `claim`. */
  peek(allele: Allele, terms: TermSet): AlleleEffect {
    const fx = this.items[this.used];
    if (fx !== undefined) return fx;
    const created = new AlleleEffect(allele, terms);
    this.items.push(created);
    return created;
  }

  /** Marks the effect last peeked as in use. */
  claim(): void {
    this.used++;
  }

  /** Frees every effect: their contents are overwritten from now on. */
  releaseAll(): void {
    this.used = 0;
  }
}

function slash(n: number, total: number): string {
  return n === NONE ? "" : `${n}/${total}`;
}

/** The effect as an Annotation (the data model's string form). */
export function toAnnotation(e: AlleleEffect): Annotation {
  const t = e.transcript;
  const l = e.layout;
  return {
    allele: e.allele.vcfAlt,
    consequences: e.consequences,
    impact: e.impact,
    geneName: t ? t.geneName : "",
    geneId: t ? t.geneId : "",
    featureType: t ? "transcript" : "intergenic_region",
    featureId: l ? l.featureId : "",
    biotype: t ? t.biotype : "",
    rank: e.rankTotal === 0 ? "" : e.rankLo === e.rankHi ? `${e.rankLo}/${e.rankTotal}` : `${e.rankLo}-${e.rankHi}/${e.rankTotal}`,
    hgvsC: l ? hgvsCText(l, e) : "",
    hgvsP: e.hgvsP,
    cdnaPos: l ? slash(e.cdnaPos, l.cdnaLength) : "",
    cdsPos: l ? slash(e.cdsPos, l.cdsLength) : "",
    aaPos: l ? slash(e.aaPos, l.aaLength) : "",
    distance: e.distance === NONE ? "" : String(e.distance),
    messages: messagesOf(e.messages),
  };
}
