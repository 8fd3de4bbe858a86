/** HGVS p. forms on a hand-written protein: MAKGRWQEKKDLSHFW* (17 residues, * = 17). */
import { expect, test } from "bun:test";
import { hgvsP, type ProteinChangeInput } from "./hgvs-p.ts";

const REF = "MAKGRWQEKKDLSHFW*";

function p(aaIndex: number, refPep: string, altPep: string, extra: Partial<ProteinChangeInput> = {}): string {
  // Variant protein for stream-based forms: the reference with the window replaced, then "tail".
  const alt = REF.slice(aaIndex).replace(refPep, altPep);
  return hgvsP({ refProtein: REF, aaIndex, refPep, altPep, frameshift: false, startLost: false, altAa: (i) => alt[i] ?? "", ...extra });
}

test("substitution, nonsense, synonymous, start lost", () => {
  expect(p(1, "A", "T")).toBe("p.Ala2Thr"); // A2 → T
  expect(p(5, "W", "*")).toBe("p.Trp6Ter");
  expect(p(1, "A", "A")).toBe("p.Ala2=");
  expect(p(16, "*", "*")).toBe("p.Ter17=");
  expect(p(0, "M", "T", { startLost: true })).toBe("p.Met1?");
});

test("deletions move C-terminal: deleting either Lys of K9 K10 is Lys10del; a two-residue deletion", () => {
  expect(p(8, "K", "")).toBe("p.Lys10del");
  expect(p(9, "K", "")).toBe("p.Lys10del");
  expect(p(10, "DL", "")).toBe("p.Asp11_Leu12del");
});

test("insertions, duplications and delins", () => {
  // R between D11 and L12 (window empty, aaIndex = 11 = L12's index).
  expect(p(11, "", "R")).toBe("p.Asp11_Leu12insArg");
  // K after K9 K10 repeats K10 → dup; inserted before K9 it still moves to Lys10dup.
  expect(p(10, "", "K")).toBe("p.Lys10dup");
  expect(p(8, "", "K")).toBe("p.Lys10dup");
  // EK inserted after E8 K9 (before K10) repeats E8 K9 → p.Glu8_Lys9dup.
  expect(p(9, "", "EK")).toBe("p.Glu8_Lys9dup");
  expect(p(4, "R", "LP")).toBe("p.Arg5delinsLeuPro");
  expect(p(4, "RW", "LP")).toBe("p.Arg5_Trp6delinsLeuPro");
  expect(p(4, "", "*")).toBe("p.Gly4_Arg5insTer");
});

test("stop lost: extension to the next stop, or Ter? when none", () => {
  const withTail = (tail: string) => (i: number) => ("Q" + tail)[i] ?? "";
  expect(p(16, "*", "Q", { altAa: withTail("AQ*") })).toBe("p.Ter17GlnextTer3");
  expect(p(16, "*", "Q", { altAa: withTail("AQ") })).toBe("p.Ter17GlnextTer?");
});

test("frameshift: short form at the first changed residue; an immediate stop is a nonsense", () => {
  const stream = (s: string) => (i: number) => s[i] ?? "";
  // From index 7 (E8): E K then R… → first change at K9.
  expect(p(7, "E", "E", { frameshift: true, altAa: stream("ERRTLS") })).toBe("p.Lys9fs");
  expect(p(7, "E", "E", { frameshift: true, altAa: stream("E*") })).toBe("p.Lys9Ter");
  // Unknown residues make the description unknown rather than wrong.
  expect(p(1, "A", "X")).toBe("");
});
