/**
 * From VCF records to the engine's alleles: one Allele per ALT, trimmed to its minimal
 * representation (model.ts), plus left/right alignment of indels against the reference.
 */
import type { Allele, GenomeWindow } from "../model.ts";
import { structuralAllele } from "./structural-allele.ts";
import type { VcfRecord } from "./vcf-reader.ts";

/** An ALT that cannot be annotated as a sequence change, with the reason (for a warning). */
export interface SkippedAlt {
  alt: string;
  reason: string;
}

/**
 * Splits a record into one trimmed Allele per ALT. `contig` is the genome's name for the record's
 * CHROM (aliases already resolved). Symbolic structural-variant ALTs (`<DEL>`, `<DUP>`, …) become
 * alleles with `sv` set (structural-allele.ts); other symbolic, breakend, `*`, `.` and non-DNA
 * ALTs, and ALTs equal to REF, go to `skipped`.
 */
export function splitAlleles(rec: VcfRecord, contig: string): { alleles: Allele[]; skipped: SkippedAlt[] } {
  const alleles: Allele[] = [];
  const skipped: SkippedAlt[] = [];
  const ref = rec.ref;
  const alts = rec.alts;
  for (let i = 0; i < alts.length; i++) {
    const vcfAlt = alts[i]!;
    // Fast path: the overwhelmingly common upper-case SNV needs neither checks nor trimming.
    if (ref.length === 1 && vcfAlt.length === 1 && isUpperBase(vcfAlt.charCodeAt(0)) && vcfAlt !== ref) {
      alleles.push({ contig, start: rec.pos, end: rec.pos, ref, alt: vcfAlt, vcfAlt });
      continue;
    }
    if (vcfAlt.charCodeAt(0) === 60 /* < */) {
      const sv = structuralAllele(rec, contig, vcfAlt, i);
      if (typeof sv === "string") skipped.push({ alt: vcfAlt, reason: sv });
      else alleles.push(sv);
      continue;
    }
    const reason = unsupportedAltReason(vcfAlt);
    if (reason !== null) {
      skipped.push({ alt: vcfAlt, reason });
      continue;
    }
    const alt = vcfAlt.toUpperCase();
    if (alt === ref) {
      skipped.push({ alt: vcfAlt, reason: "ALT equals REF (no change)" });
      continue;
    }
    alleles.push(trimAllele(contig, rec.pos, ref, alt, vcfAlt));
  }
  return { alleles, skipped };
}

/**
 * Minimal representation of REF→ALT at `pos`: common prefix removed first, then common suffix.
 * Both sequences must be upper case and differ.
 */
export function trimAllele(contig: string, pos: number, ref: string, alt: string, vcfAlt: string): Allele {
  const max = Math.min(ref.length, alt.length);
  let p = 0;
  while (p < max && ref.charCodeAt(p) === alt.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && ref.charCodeAt(ref.length - 1 - s) === alt.charCodeAt(alt.length - 1 - s)) s++;
  const r = p === 0 && s === 0 ? ref : ref.slice(p, ref.length - s);
  const a = p === 0 && s === 0 ? alt : alt.slice(p, alt.length - s);
  const start = pos + p;
  const trimmed: Allele = { contig, start, end: start + r.length - 1, ref: r, alt: a, vcfAlt };
  // Only a prefix longer than VEP's one anchor base can have pushed an indel rightwards past
  // other placements inside the written REF.
  if (p >= 2 && (r === "" || a === "")) {
    const left = leftmostInSpan(contig, pos, ref, alt, vcfAlt);
    if (left.start !== start) trimmed.spanLeft = left;
  }
  return trimmed;
}

/**
 * The leftmost minimal placement inside the written REF: VEP's shared anchor base, then the common
 * suffix, then what prefix remains (ensembl-variation's trim_sequences with end_first, after
 * VEP's Parser::VCF anchor chop). Never left of the anchor, so never outside VEP's REF span.
 */
function leftmostInSpan(contig: string, pos: number, ref: string, alt: string, vcfAlt: string): Allele {
  const r1 = ref.slice(1);
  const a1 = alt.slice(1);
  const max = Math.min(r1.length, a1.length);
  let s = 0;
  while (s < max && r1.charCodeAt(r1.length - 1 - s) === a1.charCodeAt(a1.length - 1 - s)) s++;
  let p = 0;
  while (p < max - s && r1.charCodeAt(p) === a1.charCodeAt(p)) p++;
  const r = r1.slice(p, r1.length - s);
  const a = a1.slice(p, a1.length - s);
  const start = pos + 1 + p;
  return { contig, start, end: start + r.length - 1, ref: r, alt: a, vcfAlt };
}

/** Why an ALT is not a plain DNA sequence, or null when it is one. */
export function unsupportedAltReason(alt: string): string | null {
  if (alt === ".") return "no ALT allele (.)";
  if (alt === "*") return "spanning-deletion allele (*) is symbolic";
  const c0 = alt.charCodeAt(0);
  if (c0 === 60 /* < */) return `symbolic allele ${alt} is not supported`;
  for (let i = 0; i < alt.length; i++) {
    const c = alt.charCodeAt(i);
    if (c === 91 || c === 93) return "breakend allele is not supported";
    if (c === 46) return "single breakend allele is not supported";
    if (!isBase(c)) return `ALT ${JSON.stringify(alt.length > 20 ? `${alt.slice(0, 20)}…` : alt)} is not a DNA sequence`;
  }
  return null;
}

function isUpperBase(c: number): boolean {
  return c === 65 || c === 67 || c === 71 || c === 84 || c === 78;
}

function isBase(c: number): boolean {
  return isUpperBase(c) || c === 97 || c === 99 || c === 103 || c === 116 || c === 110;
}

const SCAN = 64;

/**
 * Left-normalizes an insertion or deletion the way `bcftools norm` does: shifts it 5'-ward while
 * the base before it equals its last base, so equivalent indels in a repeat get one position.
 * SNVs, MNPs and delins are returned unchanged. Stops at position 1 and at `N` reference bases
 * (a run of N is no evidence of a repeat, and outside the contig the window returns N).
 */
export function leftAlign(allele: Allele, genome: GenomeWindow): Allele {
  const isIns = allele.ref === "";
  if (!isIns && allele.alt !== "") return allele;
  const seq = isIns ? allele.alt : allele.ref;
  const len = seq.length;
  if (len === 0) return allele;
  // Most indels do not move: one base tells, read alone (a one-character string, which the
  // engine does not allocate) before a 64-base chunk is sliced (the known-variant lookup aligns
  // every input indel both ways: ~85 ms of the 1M-variant bench's profile before this).
  if (allele.start <= 1) return allele;
  const before = genome.slice(allele.start - 1, allele.start - 1).charCodeAt(0);
  if (before === 78 || before !== seq.charCodeAt(len - 1)) return allele;
  let k = 0; // shifts made; the current sequence is `seq` rotated right by k
  let start = allele.start;
  let chunk = "";
  let chunkStart = start;
  while (start > 1) {
    const prev = start - 1;
    if (prev < chunkStart) {
      chunkStart = Math.max(1, prev - SCAN + 1);
      chunk = genome.slice(chunkStart, prev);
    }
    const b = chunk.charCodeAt(prev - chunkStart);
    if (b === 78 || b !== seq.charCodeAt((((len - 1 - k) % len) + len) % len)) break;
    k++;
    start--;
  }
  if (k === 0) return allele;
  const r = k % len;
  const moved = r === 0 ? seq : seq.slice(len - r) + seq.slice(0, len - r);
  return {
    contig: allele.contig,
    start,
    end: allele.end - k,
    ref: isIns ? "" : moved,
    alt: isIns ? moved : "",
    vcfAlt: allele.vcfAlt,
  };
}

/**
 * The mirror of leftAlign (3'-most position), used to bound where an equivalent indel can be
 * written, e.g. when searching a known-variants file that is not left-normalized.
 */
export function rightAlign(allele: Allele, genome: GenomeWindow): Allele {
  const isIns = allele.ref === "";
  if (!isIns && allele.alt !== "") return allele;
  const seq = isIns ? allele.alt : allele.ref;
  const len = seq.length;
  if (len === 0) return allele;
  // As in leftAlign: the base after the indel first, alone.
  const after = genome.slice(allele.end + 1, allele.end + 1).charCodeAt(0);
  if (after === 78 || Number.isNaN(after) || after !== seq.charCodeAt(0)) return allele;
  let k = 0; // shifts made; the current sequence is `seq` rotated left by k
  let end = allele.end;
  let chunk = "";
  let chunkStart = 0;
  let chunkEnd = -1;
  for (;;) {
    const next = end + 1; // for an insertion (end = start - 1) this is the base after the gap
    if (next > chunkEnd) {
      chunkStart = next;
      chunkEnd = next + SCAN - 1;
      chunk = genome.slice(chunkStart, chunkEnd);
    }
    const b = chunk.charCodeAt(next - chunkStart);
    if (b === 78 || Number.isNaN(b) || b !== seq.charCodeAt(k % len)) break;
    k++;
    end++;
  }
  if (k === 0) return allele;
  const r = k % len;
  const moved = r === 0 ? seq : seq.slice(r) + seq.slice(0, r);
  return {
    contig: allele.contig,
    start: allele.start + k,
    end,
    ref: isIns ? "" : moved,
    alt: isIns ? moved : "",
    vcfAlt: allele.vcfAlt,
  };
}
