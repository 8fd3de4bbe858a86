/**
 * VEP's transcript choice (`--pick`, `--pick_allele`, `--per_gene`, `--flag_pick`): which of a
 * variant's effects to keep, or to flag, when a user wants one consequence rather than one per
 * transcript. Pure: effects in, choices out (`choose`); the record path writes the chosen ones
 * (`keepChosen` for ANN; CsqWriter skips or flags the others).
 *
 * The rule is ensembl-vep's OutputFactory::pick_worst_VariationFeatureOverlapAllele: each effect
 * gets a value per criterion (lower is better; an intergenic effect gets VEP's defaults), and the
 * criteria of the pick order are applied in turn, keeping only the effects that tie on the best
 * value, until one is left (else the first in list order). The order is VEP's default
 * (Config.pm, VEP ≥ 108): MANE Select, MANE Plus Clinical, canonical, APPRIS, TSL, biotype, CCDS,
 * consequence rank, length, Ensembl, RefSeq.
 */
import { layoutOf } from "../hgvs/transcript-coordinates.ts";
import type { AlleleEffect } from "./allele-effect.ts";
import { SO_TERMS } from "./so-terms.ts";

/** What `gas annotate` does with the effects: everything (none), or VEP's options. */
export type PickMode = "none" | "pick" | "pick-allele" | "per-gene" | "flag-pick" | "most-severe";

export const PICK_MODES: readonly PickMode[] = ["none", "pick", "pick-allele", "per-gene", "flag-pick", "most-severe"];

export const VEP_PICK_ORDER = [
  "mane_select",
  "mane_plus_clinical",
  "canonical",
  "appris",
  "tsl",
  "biotype",
  "ccds",
  "rank",
  "length",
  "ensembl",
  "refseq",
] as const;

export type PickCriterion = (typeof VEP_PICK_ORDER)[number];

/**
 * `most-severe`: the most severe consequence first, then VEP's order to choose among the
 * transcripts that have it. Unlike VEP's --most_severe (the term alone), the entry keeps every field.
 */
export const mostSevereOrder = (order: readonly PickCriterion[] = VEP_PICK_ORDER): PickCriterion[] => [
  "rank",
  ...order.filter((c) => c !== "rank"),
];

/** VEP's --pick_order: a comma-separated subset of VEP_PICK_ORDER, in the order to apply; throws a message naming the problem. */
export function parsePickOrder(text: string): PickCriterion[] {
  const names = text.split(",").map((s) => s.trim().toLowerCase());
  const known = new Set<string>(VEP_PICK_ORDER);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length > 0)
    throw new Error(`--pick-order: unknown criteria ${bad.map((b) => `"${b}"`).join(", ")} (known: ${VEP_PICK_ORDER.join(",")})`);
  if (new Set(names).size !== names.length) throw new Error(`--pick-order names a criterion twice: "${text}"`);
  return names as PickCriterion[];
}

const TERM_RANK = new Map(SO_TERMS.map((t, i) => [t.term, i]));

/**
 * One criterion's value for an effect, lower is better, as VEP computes it: 0/1 flags for MANE,
 * canonical, protein_coding, CCDS, Ensembl, RefSeq; the TSL (absent: 100); the APPRIS grade
 * (principal n → n, alternative n → n + 10, absent: 100); the SO rank of the most severe term; and
 * the length negated so that the longest wins (the CDS of a coding transcript, else the cDNA).
 */
export function criterionValue(e: AlleleEffect, c: PickCriterion): number {
  if (c === "rank") return TERM_RANK.get(e.consequences[0] ?? "") ?? 1000;
  const t = e.transcript;
  if (t === null) return c === "length" ? 0 : c === "tsl" || c === "appris" ? 100 : 1;
  switch (c) {
    case "mane_select":
      return t.tags.includes("MANE_Select") ? 0 : 1;
    case "mane_plus_clinical":
      return t.tags.includes("MANE_Plus_Clinical") ? 0 : 1;
    case "canonical":
      return t.tags.includes("Ensembl_canonical") ? 0 : 1;
    case "appris": {
      const m = t.appris === undefined ? null : /^([PA])(\d+)$/.exec(t.appris);
      return m ? Number(m[2]) + (m[1] === "A" ? 10 : 0) : 100;
    }
    case "tsl":
      return t.tsl ?? 100;
    case "biotype":
      return t.biotype === "protein_coding" ? 0 : 1;
    case "ccds":
      return t.ccds !== undefined ? 0 : 1;
    case "length": {
      const l = layoutOf(t);
      return -(l.coding ? l.cdsLength : l.cdnaLength);
    }
    case "ensembl":
      return /^ENS[A-Z]*T\d/.test(t.id) ? 0 : 1;
    case "refseq":
      return /^[NX][MR]_\d/.test(t.id) ? 0 : 1;
  }
}

/** The index (into `effects`) of VEP's pick among `candidates` (indexes, in list order; at least one). */
export function pickOne(
  effects: readonly AlleleEffect[],
  candidates: readonly number[],
  order: readonly PickCriterion[] = VEP_PICK_ORDER,
): number {
  let left = candidates;
  for (const c of order) {
    if (left.length === 1) break;
    let best = Number.POSITIVE_INFINITY;
    let ties: number[] = [];
    for (const i of left) {
      const v = criterionValue(effects[i]!, c);
      if (v < best) {
        best = v;
        ties = [i];
      } else if (v === best) ties.push(i);
    }
    left = ties;
  }
  return left[0]!;
}

/**
 * The chosen effects of one variant (a VCF record: its alleles' effects, allele by allele), 1 per
 * chosen effect:
 * - `pick`, `flag-pick`: one for the variant, whatever its alleles (VEP's --pick / --flag_pick);
 * - `pick-allele`: one per allele;
 * - `most-severe`: one per allele, the most severe consequence (mostSevereOrder());
 * - `per-gene`: one per gene across the alleles, and every intergenic effect (VEP's --per_gene);
 * - `none`: every effect.
 */
export function choose(effects: readonly AlleleEffect[], mode: PickMode, pickOrder: readonly PickCriterion[] = VEP_PICK_ORDER): Uint8Array {
  const marks = new Uint8Array(effects.length);
  if (effects.length === 0) return marks;
  if (mode === "none" || effects.length === 1) return marks.fill(1);
  if (mode === "pick" || mode === "flag-pick") {
    marks[pickOne(effects, allIndexes(effects.length), pickOrder)] = 1;
    return marks;
  }
  const groups = new Map<unknown, number[]>();
  for (let i = 0; i < effects.length; i++) {
    const e = effects[i]!;
    if (mode === "per-gene" && e.transcript === null) {
      marks[i] = 1;
      continue;
    }
    const key = mode === "per-gene" ? e.transcript!.geneId : e.allele;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const order = mode === "most-severe" ? mostSevereOrder(pickOrder) : pickOrder;
  for (const group of groups.values()) marks[pickOne(effects, group, order)] = 1;
  return marks;
}

function allIndexes(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** The chosen effects (marks from `choose`), in order: what ANN holds under pick, pick-allele, per-gene. */
export function keepChosen(effects: readonly AlleleEffect[], marks: ArrayLike<number>): AlleleEffect[] {
  const out: AlleleEffect[] = [];
  for (let i = 0; i < effects.length; i++) if (marks[i]) out.push(effects[i]!);
  return out;
}
