/**
 * Runs `bcftools csq -l` live on a VCF and reads its BCSQ field, to cross-check the engine's
 * consequence class and amino-acid change against an established annotator.
 */

/** One BCSQ entry: `consequence|gene|transcript|biotype|strand|aa_change|dna_change`. */
export interface BcsqEntry {
  recordId: string;
  /** bcftools terms, most severe first (`frameshift`, `missense`, `inframe_deletion`, …). */
  terms: string[];
  gene: string;
  transcript: string;
  /** e.g. `409Y>409C`, `410SA>410R`, `406LIGY…*>406LLDT…*`; "" when not coding. */
  aaChange: string;
}

/** The bcftools binary, or null when it is not installed (cross-checks are then skipped). */
export const BCFTOOLS = Bun.which("bcftools");

/** `bcftools csq -l -f FASTA -g GFF3 VCF`, parsed. The VCF must be sorted and on FASTA contigs only. */
export async function runBcftoolsCsq(vcf: string, fasta: string, gff3: string): Promise<BcsqEntry[]> {
  if (!BCFTOOLS) throw new Error("bcftools is not installed");
  const proc = Bun.spawn([BCFTOOLS, "csq", "-l", "-f", fasta, "-g", gff3, vcf], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`bcftools csq exited ${code}: ${err}`);
  const entries: BcsqEntry[] = [];
  for (const line of out.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cols = line.split("\t");
    const bcsq = cols[7]!.split(";").find((kv) => kv.startsWith("BCSQ="));
    if (!bcsq) continue;
    for (const entry of bcsq.slice(5).split(",")) {
      const f = entry.split("|");
      if (f.length < 6) continue; // `@POS` back-references to another record's compound change
      entries.push({ recordId: cols[2]!, terms: f[0]!.split("&"), gene: f[1]!, transcript: f[2]!, aaChange: f[5]! });
    }
  }
  return entries;
}

/**
 * The first changed amino acid of a bcftools aa change, as HGVS p. names it: bcftools writes the
 * ref and alt peptides from the codon of the variant (`406LIGY>406LLDT`); HGVS starts at the first
 * residue that differs, or, for a pure insertion, at the residue before it.
 */
export function firstChangedResidue(aaChange: string): { pos: number; ref: string; alt: string } | null {
  // Synonymous changes have no `>` part (`415N`).
  const m = /^(\d+)([A-Z*]+)(?:>\d+([A-Z*]*))?$/.exec(aaChange);
  if (!m) return null;
  const pos = Number(m[1]);
  const ref = m[2]!;
  const alt = m[3] ?? ref;
  let k = 0;
  while (k < ref.length && k < alt.length && ref[k] === alt[k]) k++;
  if (k === ref.length && k > 0) k--; // insertion: HGVS names the flanking residue before it
  return { pos: pos + k, ref: ref[k] ?? "", alt: alt[k] ?? "" };
}

const THREE_TO_ONE: Record<string, string> = {
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
  Sec: "U",
  Ter: "*",
};

/** First residue of an HGVS p. string (`p.Ile407fs` → {pos 407, ref I}); alt only for substitutions. */
export function hgvsFirstResidue(hgvsP: string): { pos: number; ref: string; alt: string | null } | null {
  const m = /^p\.\(?([A-Z][a-z]{2})(\d+)(.*?)\)?$/.exec(hgvsP);
  if (!m) return null;
  const rest = m[3]!;
  const sub = /^([A-Z][a-z]{2})$/.exec(rest);
  return { pos: Number(m[2]), ref: THREE_TO_ONE[m[1]!] ?? "?", alt: sub ? (THREE_TO_ONE[sub[1]!] ?? "?") : null };
}

/** Whether one of our SO terms is bcftools' term (`frameshift` ↔ `frameshift_variant`). */
export function sameTerm(bcftoolsTerm: string, ours: readonly string[]): boolean {
  return ours.includes(bcftoolsTerm) || ours.includes(`${bcftoolsTerm}_variant`);
}
