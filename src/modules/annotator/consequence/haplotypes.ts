/**
 * Haplotype-aware consequences for phased genotypes (`gas annotate --phased`, issue 15 part 4), as
 * bcftools csq calls them (csq.c: the variants of one haplotype are applied to the transcript
 * together): two SNVs in one codon on one haplotype are one missense call, not two; an indel whose
 * frameshift another indel on the same haplotype restores is an inframe change, not two frameshifts.
 *
 * Per coding transcript, per sample and haplotype (`0|1`: the ALT is on the second haplotype), the
 * CDS edits carried on that haplotype are sorted and grouped: an edit joins the group when it
 * touches the group's last codon or the group's frame is still shifted (bcftools keeps a
 * frameshifted haplotype open until the frame is restored). A group of two or more edits is a
 * compound: its consequence comes from translating the edited codons (frameshift when the frame is
 * not restored). Only compounds are reported, in bcftools' BCSQ form
 * `consequence|gene|transcript|biotype|strand|amino_acid_change|dna_changes` on the record 5′-most
 * in transcript orientation, `@POS` (that record's position) on the others; per sample, a bit mask
 * says which haplotype carries which entry (bit 2i: first haplotype, 2i + 1: second; bcftools'
 * FORMAT/BCSQ layout). An unphased heterozygous call (`0/1`) that could be part of a compound
 * cannot be placed: the record lists that sample as unphased instead.
 *
 * Limits (README): edits wholly inside the CDS of one exon only (no splice or UTR parts); only
 * records in the same batch of the reader are combined; terms are VEP's SO names.
 */
import type { Allele, Transcript, TranscriptSequence } from "../model.ts";
import { reverseComplement } from "../hgvs/nucleotides.ts";
import { exonIndexAtOrBefore, layoutOf, type TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import { cdsContextOf } from "./coding-change.ts";
import { translate } from "./codon-tables.ts";

/** One VCF record as the phasing pass sees it. */
export interface PhasedRecord {
  pos: number;
  ref: string;
  /** ALT alleles in VCF order (index 0 = ALT 1); null where an ALT is not a sequence change. */
  alleles: (Allele | null)[];
  /** The GT of each sample, or null without genotypes. */
  gts: string[] | null;
  /** Transcripts near the record (its alleles' overlapping transcripts suffice). */
  transcripts: readonly Transcript[];
}

/** What --phased adds to one record. */
export interface PhasedResult {
  /** HCSQ entries: a compound's full entry at its head record, `@POS` elsewhere. */
  entries: string[];
  /** Per sample: bit 2i / 2i + 1 set when haplotype 1 / 2 carries entry i. */
  masks: number[];
  /** 0-based indexes of samples whose unphased call could belong to a compound here. */
  unphased: number[];
}

interface Edit {
  rec: number;
  alt: number;
  /** Padded-CDS offsets (0-based) of the replaced bases; an insertion before x has y = x - 1. */
  x: number;
  y: number;
  /** Inserted bases, transcript orientation. */
  seq: string;
  /** Padded-CDS span of the record's REF as written, anchor base included (bcftools' codon window). */
  lo: number;
  hi: number;
  unphased: boolean;
}

/** Padded-CDS edit of `a` on a coding transcript, or null unless it lies wholly inside the CDS of one exon. */
function cdsEdit(a: Allele, l: TranscriptLayout, t: Transcript): Omit<Edit, "rec" | "alt" | "unphased"> | null {
  const c = t.coding;
  if (!l.coding || c === null || a.sv !== undefined) return null;
  const plus = l.strand === 1;
  const insertion = a.end < a.start;
  const gLo = insertion ? a.end : a.start;
  const gHi = insertion ? a.start : a.end;
  const i = exonIndexAtOrBefore(l, gLo);
  if (i < 0 || gHi > l.gEnd[i]! || gLo < l.gStart[i]! || gLo < c.start || gHi > c.end) return null;
  const g = plus ? a.start : a.end; // 5′-most replaced base, or the base the insertion goes before
  const cdna = plus ? l.cdna5[i]! + (g - l.gStart[i]!) : l.cdna5[i]! + (l.gEnd[i]! - g);
  const x = cdna - l.cdsStart + l.framePad;
  const y = x + a.ref.length - 1;
  // An indel's VCF anchor is the base before it on the genome: 5′ of it on the plus strand, 3′ on the minus.
  const indel = a.ref === "" || a.alt === "";
  const lo = Math.max(0, indel && plus ? x - 1 : x);
  const hi = indel && !plus ? Math.max(x, y + 1) : Math.max(x, y);
  return { x, y, seq: plus ? a.alt : reverseComplement(a.alt), lo, hi };
}

/** Haplotypes of a GT: the allele index on each (null = no call there) and whether the call is phased. */
function haplotypesOf(gt: string): { haps: (number | null)[]; phased: boolean } {
  const phased = !gt.includes("/");
  const haps = gt.split(/[|/]/).map((x) => (x === "." ? null : Number(x)));
  // A homozygous call needs no phase; a haploid call has one haplotype.
  return { haps, phased: phased || haps.every((h) => h === haps[0]) };
}

const STOP = "*";

/**
 * The compound consequences of a batch of records, by record index (records without one absent).
 * `sequenceOf` gives the spliced sequence of a transcript (null: the transcript is skipped).
 */
export function haplotypeConsequences(
  records: readonly PhasedRecord[],
  sequenceOf: (t: Transcript) => TranscriptSequence | null,
): Map<number, PhasedResult> {
  const out = new Map<number, PhasedResult>();
  const samples = records.reduce((n, r) => Math.max(n, r.gts?.length ?? 0), 0);
  const transcripts = new Set<Transcript>();
  for (const r of records) for (const t of r.transcripts) if (t.coding) transcripts.add(t);
  const resultOf = (rec: number) => {
    let r = out.get(rec);
    if (r === undefined) out.set(rec, (r = { entries: [], masks: new Array(samples).fill(0), unphased: [] }));
    return r;
  };
  for (const t of transcripts) {
    const l = layoutOf(t);
    const seq = sequenceOf(t);
    const ctx = seq === null ? null : cdsContextOf(seq, l, t.codonTable);
    if (ctx === null) continue;
    // The CDS edits of each record's ALTs on this transcript.
    const edits = new Map<string, Omit<Edit, "unphased">>();
    records.forEach((r, ri) => {
      if (!r.transcripts.includes(t)) return;
      r.alleles.forEach((a, ai) => {
        const e = a === null ? null : cdsEdit(a, l, t);
        if (e !== null) edits.set(`${ri}:${ai + 1}`, { ...e, rec: ri, alt: ai + 1 });
      });
    });
    if (edits.size < 2) continue;
    for (let s = 0; s < samples; s++) {
      const haps: Edit[][] = [[], []];
      const all: Edit[] = [];
      records.forEach((r, ri) => {
        const gt = r.gts?.[s];
        if (gt === undefined) return;
        const { haps: alleles, phased } = haplotypesOf(gt);
        alleles.forEach((allele, h) => {
          const e = allele === null || allele === 0 ? undefined : edits.get(`${ri}:${allele}`);
          if (e === undefined) return;
          const edit = { ...e, unphased: !phased };
          if (phased && h < 2) haps[h]!.push(edit);
          if (!all.some((x) => x.rec === edit.rec && x.alt === edit.alt)) all.push(edit);
        });
      });
      // Unphased: a call that would join a group with another record's edit cannot be placed.
      for (const group of groupsOf(all)) {
        if (group.length < 2 || !group.some((e) => e.unphased)) continue;
        for (const e of group) {
          const r = resultOf(e.rec);
          if (!r.unphased.includes(s)) r.unphased.push(s);
        }
      }
      haps.forEach((hap, h) => {
        for (const group of groupsOf(hap)) {
          if (group.length < 2) continue;
          const entry = compoundEntry(group, records, t, l, ctx);
          if (entry === null) continue;
          // Sorted by CDS offset: the head is 5′-most in transcript orientation (bcftools reports
          // a minus-strand compound at its highest position, ENST00000379416's 53595).
          const head = group[0]!.rec;
          for (const e of group) {
            const text = e.rec === head ? entry : `@${records[head]!.pos}`;
            const r = resultOf(e.rec);
            let i = r.entries.indexOf(text);
            if (i < 0) i = r.entries.push(text) - 1;
            if (i < 15) r.masks[s]! |= 1 << (2 * i + h);
          }
        }
      });
    }
  }
  return out;
}

/** Groups of a haplotype's edits, sorted by CDS offset: same or next-touching codon, or an open frame. */
function groupsOf(edits: Edit[]): Edit[][] {
  const sorted = [...edits].sort((a, b) => a.x - b.x || a.y - b.y);
  const groups: Edit[][] = [];
  let cur: Edit[] = [];
  let lastCodon = -1;
  let shift = 0;
  for (const e of sorted) {
    const first = Math.floor(e.x / 3);
    const last = Math.floor(Math.max(e.x, e.y) / 3);
    if (cur.length > 0 && (first <= lastCodon || shift % 3 !== 0) && e.x > cur[cur.length - 1]!.y) {
      cur.push(e);
    } else {
      if (cur.length) groups.push(cur);
      cur = [e];
      shift = 0;
    }
    lastCodon = Math.max(lastCodon, last);
    shift += e.seq.length - (e.y - e.x + 1);
  }
  if (cur.length) groups.push(cur);
  return groups;
}

/** bcftools' BCSQ entry of a compound group (edits sorted by CDS offset), or null when it cannot be decided. */
function compoundEntry(
  group: Edit[],
  records: readonly PhasedRecord[],
  t: Transcript,
  l: TranscriptLayout,
  ctx: NonNullable<ReturnType<typeof cdsContextOf>>,
): string | null {
  const { seq, cdsLen, table } = ctx;
  const a = Math.floor(Math.min(...group.map((e) => e.lo)) / 3);
  const b = Math.floor(Math.max(...group.map((e) => e.hi)) / 3);
  let alt = seq.slice(a * 3, group[0]!.x);
  let shift = 0;
  group.forEach((e, i) => {
    alt += e.seq + seq.slice(e.y + 1, i + 1 < group.length ? group[i + 1]!.x : undefined);
    shift += e.seq.length - (e.y - e.x + 1);
  });
  const frameshift = shift % 3 !== 0;
  if ((b + 1) * 3 > cdsLen && !frameshift) return null;
  const refPep = translate(seq.slice(a * 3, (b + 1) * 3), table);
  let altPep: string;
  let term: string;
  let refShown = refPep;
  if (frameshift) {
    altPep = translate(alt, table, 0, true);
    const stop = altPep.indexOf(STOP);
    if (stop >= 0) altPep = altPep.slice(0, stop + 1);
    refShown = refPep.slice(0, 1);
    term = "frameshift_variant";
  } else {
    altPep = translate(alt.slice(0, (b + 1) * 3 - a * 3 + shift), table);
    term = proteinTerm(refPep, altPep, a === 0 && !l.startIncomplete);
    // bcftools adds inframe_altering to an in-frame compound with an indel (csq.c hap_add_csq).
    if (
      shift === 0 &&
      group.some((e) => e.seq.length !== e.y - e.x + 1) &&
      term !== "protein_altering_variant" &&
      term !== "synonymous_variant"
    )
      term += "&protein_altering_variant";
  }
  // The residues of the whole codon window, as bcftools writes them (8EKK>8EQE, not trimmed).
  const pos = a + 1 - Math.floor(l.framePad / 3);
  const aa = term === "synonymous_variant" ? `${pos}${refPep}` : `${pos}${refShown}>${pos}${altPep}`;
  const dna = [...new Set(group.map((e) => e.rec))]
    .sort((x, y) => records[x]!.pos - records[y]!.pos)
    .map((ri) => {
      const r = records[ri]!;
      const e = group.find((g) => g.rec === ri)!;
      return `${r.pos}${r.ref}>${r.alleles[e.alt - 1]!.vcfAlt}`;
    })
    .join("+");
  return [term, t.geneName, t.id, t.biotype, t.strand === 1 ? "+" : "-", aa, dna].join("|");
}

/** VEP's protein-level term for an in-frame change of whole codons. */
function proteinTerm(ref: string, alt: string, atStart: boolean): string {
  if (ref === alt) return "synonymous_variant";
  if (atStart && ref[0] === "M" && alt[0] !== "M") return "start_lost";
  const altStop = alt.indexOf(STOP);
  if (altStop >= 0 && !ref.includes(STOP)) return "stop_gained";
  if (ref.includes(STOP) && altStop < 0) return "stop_lost";
  if (ref.length === alt.length) return "missense_variant";
  if (alt.length > ref.length) return alt.startsWith(ref) || alt.endsWith(ref) ? "inframe_insertion" : "protein_altering_variant";
  return ref.startsWith(alt) || ref.endsWith(alt) ? "inframe_deletion" : "protein_altering_variant";
}
