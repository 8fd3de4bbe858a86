/**
 * HGVS protein notation, 3-letter codes, no parentheses (SnpEff's ANN style):
 * `p.Arg12Trp`, `p.Arg12Ter` (nonsense), `p.Lys5=` (synonymous, VEP/HGVS style rather than
 * SnpEff's `p.Lys5Lys`), `p.Met1?` (start lost), `p.Ter17GlnextTer3` / `p.Ter17GlnextTer?`
 * (stop lost), `p.Gly5fs` (frameshift, HGVS short form as SnpEff writes it), `p.Lys5del`,
 * `p.Lys5_Gly7del`, `p.Lys5_Gly6insArg`, `p.Gly5dup`, `p.Lys5_Gly7delinsArg`.
 *
 * The description is derived from the proteins, not from the DNA change (HGVS "protein level"
 * rule): common flanks are trimmed, and deletions, insertions and duplications are moved to their
 * most C-terminal position.
 */
import { aa3, peptide3 } from "./amino-acids.ts";

export interface ProteinChangeInput {
  /** Reference protein: translation of the CDS (`*` for the stop, `X` for unknown/partial codons). */
  refProtein: string;
  /** 0-based index in refProtein of the first codon of the changed window. */
  aaIndex: number;
  /** Translations of the reference and alternative codon windows. */
  refPep: string;
  altPep: string;
  frameshift: boolean;
  startLost: boolean;
  /** Amino acid i (0-based from aaIndex) of the variant protein, read on demand; "" past the transcript's end. */
  altAa: (i: number) => string;
}

/** Upper bound on codons read into the 3′ UTR looking for a new stop. */
const MAX_STREAM = 100_000;

/**
 * A lost stop: `p.Ter17GlnextTer3`, the new stop counted from the residue that replaced the old
 * one (not counting it), as HGVS and VEP count it (VEP's _stop_loss_extra_AA: stop position − 1 −
 * reference length); `extTer?` when the transcript ends first.
 */
function extension(pos: number, x: ProteinChangeInput, i: number): string {
  const first = x.altAa(i);
  for (let j = i + 1; j - i < MAX_STREAM; j++) {
    const aa = x.altAa(j);
    if (aa === "") break;
    if (aa === "*") return `p.Ter${pos}${aa3(first)}extTer${j - i}`;
  }
  return `p.Ter${pos}${aa3(first)}extTer?`;
}

/** Walks the variant protein against the reference from aaIndex; for frameshifts and lost stops. */
function byStream(x: ProteinChangeInput): string {
  const ref = x.refProtein;
  for (let i = 0; i < MAX_STREAM; i++) {
    const r = ref[x.aaIndex + i];
    const a = x.altAa(i);
    if (r === undefined || a === "") return "";
    if (r === a) {
      if (r === "*") return `p.Ter${x.aaIndex + i + 1}=`;
      continue;
    }
    if (r === "X" || a === "X") return "";
    const pos = x.aaIndex + i + 1;
    if (a === "*") return `p.${aa3(r)}${pos}Ter`;
    if (r === "*") return extension(pos, x, i);
    return `p.${aa3(r)}${pos}fs`;
  }
  return "";
}

/** The HGVS p. description of a coding change, or "" when it cannot be determined (unknown residues). */
export function hgvsP(x: ProteinChangeInput): string {
  if (x.startLost) return "p.Met1?";
  if (x.frameshift) return byStream(x);
  const ref = x.refProtein;
  let r = x.refPep;
  let a = x.altPep;
  if (r.includes("X") || a.includes("X")) return "";
  const stop = a.indexOf("*");
  if (stop >= 0) a = a.slice(0, stop + 1); // nothing after a new stop is translated
  let pos0 = x.aaIndex;
  if (r === a) return r === "" ? "" : `p.${aa3(r[0]!)}${pos0 + 1}=`;

  let k = 0;
  while (k < r.length && k < a.length && r[k] === a[k]) k++;
  r = r.slice(k);
  a = a.slice(k);
  pos0 += k;
  while (r.length > 0 && a.length > 0 && r[r.length - 1] === a[a.length - 1]) {
    r = r.slice(0, -1);
    a = a.slice(0, -1);
  }

  // A lost stop (the reference window's stop is gone and no new one in the window).
  if (r.includes("*") && !a.includes("*")) return byStream(x);
  if (a.startsWith("*") && r.length > 0) return `p.${aa3(r[0]!)}${pos0 + 1}Ter`;

  if (r.length === 1 && a.length === 1) return `p.${aa3(r)}${pos0 + 1}${aa3(a)}`;

  if (r.length === 0) {
    // Insertion between residues pos0 and pos0+1 (1-based); move it C-terminal, then test for dup.
    let p = pos0; // 0-based index of the residue after the insertion point
    const len = a.length;
    let moved = 0;
    if (!a.includes("*")) {
      while (ref[p] !== undefined && ref[p] !== "*" && ref[p] === a[moved % len]) {
        p++;
        moved++;
      }
    }
    const ins = moved % len === 0 ? a : a.slice(moved % len) + a.slice(0, moved % len);
    if (p < 1 || ref[p] === undefined) return "";
    if (p - len >= 0 && ref.slice(p - len, p) === ins) {
      return len === 1 ? `p.${aa3(ins)}${p}dup` : `p.${aa3(ref[p - len]!)}${p - len + 1}_${aa3(ref[p - 1]!)}${p}dup`;
    }
    return `p.${aa3(ref[p - 1]!)}${p}_${aa3(ref[p]!)}${p + 1}ins${peptide3(ins)}`;
  }

  if (a.length === 0) {
    let s = pos0;
    const len = r.length;
    while (ref[s + len] !== undefined && ref[s + len] !== "*" && ref[s + len] === ref[s]) s++;
    return len === 1 ? `p.${aa3(ref[s]!)}${s + 1}del` : `p.${aa3(ref[s]!)}${s + 1}_${aa3(ref[s + len - 1]!)}${s + len}del`;
  }

  const span = r.length === 1 ? `${aa3(r)}${pos0 + 1}` : `${aa3(r[0]!)}${pos0 + 1}_${aa3(r[r.length - 1]!)}${pos0 + r.length}`;
  return `p.${span}delins${peptide3(a)}`;
}
