/**
 * Readers for what established annotators wrote about the same input, for the concordance test:
 * SnpEff's ANN field and bcftools csq's BCSQ field. Each gives one entry per variant × transcript,
 * keyed `POS:REF>ALT:TRANSCRIPT` with the transcript version removed (SnpEff appends it, the
 * GFF3 gives it separately).
 */

export interface PeerCall {
  terms: Set<string>;
  hgvsC?: string;
  hgvsP?: string;
  /** bcftools' amino-acid change, e.g. `331A>331T` or `315K` (synonymous). */
  aaChange?: string;
}

export type PeerCalls = Map<string, PeerCall>;

export function pairKey(pos: number | string, ref: string, alt: string, transcript: string): string {
  return `${pos}:${ref}>${alt}:${transcript.replace(/\.\d+$/, "")}`;
}

function dataLines(vcfText: string): string[][] {
  return vcfText
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split("\t"));
}

function infoField(info: string, key: string): string | null {
  for (const kv of info.split(";")) if (kv.startsWith(`${key}=`)) return kv.slice(key.length + 1);
  return null;
}

/** SnpEff (or any writer of the ANN standard, GAS included): transcript entries only. */
export function readAnnCalls(vcfText: string): PeerCalls {
  const calls: PeerCalls = new Map();
  for (const f of dataLines(vcfText)) {
    const ann = infoField(f[7] ?? "", "ANN");
    if (!ann) continue;
    for (const entry of ann.split(",")) {
      const a = entry.split("|");
      if (a[5] !== "transcript" || !a[6]) continue;
      // SnpEff keeps the GTF's joined `transcript_id "A,B"` quirk as one ID; the GFF3 (and GAS)
      // have A and B apart: compare SnpEff's joined transcript as A.
      const transcript = decodeURIComponent(a[6]).split(",")[0]!;
      calls.set(pairKey(f[1]!, f[3]!, a[0]!, transcript), {
        terms: new Set(a[1]!.split("&")),
        hgvsC: decodeURIComponent(a[9] ?? ""),
        hgvsP: decodeURIComponent(a[10] ?? ""),
      });
    }
  }
  return calls;
}

/** bcftools csq's names, mapped to the Sequence Ontology terms VEP and SnpEff write. */
const BCSQ_TO_SO: Record<string, string> = {
  missense: "missense_variant",
  synonymous: "synonymous_variant",
  stop_gained: "stop_gained",
  stop_lost: "stop_lost",
  start_lost: "start_lost",
  stop_retained: "stop_retained_variant",
  start_retained: "start_retained_variant",
  frameshift: "frameshift_variant",
  inframe_insertion: "inframe_insertion",
  inframe_deletion: "inframe_deletion",
  inframe_altering: "protein_altering_variant",
  splice_region: "splice_region_variant",
  splice_donor: "splice_donor_variant",
  splice_acceptor: "splice_acceptor_variant",
  "5_prime_utr": "5_prime_UTR_variant",
  "3_prime_utr": "3_prime_UTR_variant",
  intron: "intron_variant",
  non_coding: "non_coding_transcript_variant",
  coding_sequence: "coding_sequence_variant",
};

/**
 * bcftools csq -l: entries `consequence|gene|transcript|biotype|strand|aa_change|dna_change`.
 * Entries without a transcript (its intron/non-coding summary) are skipped; a transcript named in
 * several entries gets the union of their terms.
 */
export function readBcsqCalls(vcfText: string): PeerCalls {
  const calls: PeerCalls = new Map();
  for (const f of dataLines(vcfText)) {
    const bcsq = infoField(f[7] ?? "", "BCSQ");
    if (!bcsq) continue;
    for (const entry of bcsq.split(",")) {
      const b = entry.split("|");
      if (!b[2]) continue;
      const key = pairKey(f[1]!, f[3]!, f[4]!, b[2]);
      const call = calls.get(key) ?? { terms: new Set<string>() };
      for (const t of b[0]!.replace(/^\*/, "").split("&")) call.terms.add(BCSQ_TO_SO[t] ?? t);
      if (b[5]) call.aaChange = b[5];
      calls.set(key, call);
    }
  }
  return calls;
}

/** `p.Ala331Thr` → `331A>331T`, `p.Lys315=`/`p.=` with aa position → `315K`: bcftools' form. */
export function hgvsPToBcftools(hgvsP: string, aaPos: string): string | null {
  const one = ONE_LETTER;
  const m = /^p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|=)\)?$/.exec(hgvsP);
  if (m) {
    const from = one[m[1]!];
    const to = m[3] === "=" ? from : one[m[3]!];
    if (!from || !to) return null;
    return m[3] === "=" || from === to ? `${m[2]}${from}` : `${m[2]}${from}>${m[2]}${to}`;
  }
  return null;
}

const ONE_LETTER: Record<string, string> = {
  Ala: "A",
  Arg: "R",
  Asn: "N",
  Asp: "D",
  Cys: "C",
  Gln: "Q",
  Glu: "E",
  Gly: "G",
  His: "H",
  Ile: "I",
  Leu: "L",
  Lys: "K",
  Met: "M",
  Phe: "F",
  Pro: "P",
  Ser: "S",
  Thr: "T",
  Trp: "W",
  Tyr: "Y",
  Val: "V",
  Ter: "*",
  Sec: "U",
  Xaa: "X",
};
