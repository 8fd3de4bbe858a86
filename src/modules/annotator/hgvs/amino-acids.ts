/** One-letter to three-letter amino acid codes as HGVS writes them (`*` → `Ter`, `X` → `Xaa`). */

const THREE: Record<string, string> = {
  A: "Ala",
  R: "Arg",
  N: "Asn",
  D: "Asp",
  C: "Cys",
  Q: "Gln",
  E: "Glu",
  G: "Gly",
  H: "His",
  I: "Ile",
  L: "Leu",
  K: "Lys",
  M: "Met",
  F: "Phe",
  P: "Pro",
  S: "Ser",
  T: "Thr",
  W: "Trp",
  Y: "Tyr",
  V: "Val",
  U: "Sec",
  O: "Pyl",
  "*": "Ter",
  X: "Xaa",
};

/** Three-letter code of one amino acid. */
export function aa3(one: string): string {
  return THREE[one] ?? "Xaa";
}

/** Three-letter codes of a peptide, concatenated (`KR*` → `LysArgTer`). */
export function peptide3(seq: string): string {
  let out = "";
  for (let i = 0; i < seq.length; i++) out += aa3(seq[i]!);
  return out;
}
