import { hgvsPToBcftools, type PeerCall, type PeerCalls } from "./peer-outputs.ts";

/** Agreement on one consequence term: of the pairs where the peer names it, how many we name too. */
export interface TermAgreement {
  term: string;
  peerPairs: number;
  agreed: number;
}

export interface Concordance {
  peer: string;
  /** Variant × transcript pairs both annotated, and those only one side has. */
  shared: number;
  onlyPeer: string[];
  onlyOurs: string[];
  byTerm: TermAgreement[];
  /** Pairs whose full term sets are equal (after the documented mapping). */
  sameTerms: number;
  hgvsC?: { compared: number; agreed: number; differences: string[] };
  hgvsP?: { compared: number; agreed: number; differences: string[] };
  aminoAcids?: { compared: number; agreed: number; differences: string[] };
}

/**
 * Compares our calls with a peer's on the pairs both made. `normalize` maps our term set into the
 * peer's vocabulary and conventions (see the test for each documented difference).
 */
export function compare(
  peer: string,
  ours: PeerCalls,
  theirs: PeerCalls,
  normalize: (terms: Set<string>, key: string) => Set<string>,
  opts: { hgvs?: boolean; aminoAcids?: boolean; ourAaPos?: Map<string, string> } = {},
): Concordance {
  const byTerm = new Map<string, TermAgreement>();
  const onlyPeer: string[] = [];
  const onlyOurs = [...ours.keys()].filter((k) => !theirs.has(k));
  let shared = 0;
  let sameTerms = 0;
  const hgvsC = { compared: 0, agreed: 0, differences: [] as string[] };
  const hgvsP = { compared: 0, agreed: 0, differences: [] as string[] };
  const aminoAcids = { compared: 0, agreed: 0, differences: [] as string[] };
  for (const [key, call] of theirs) {
    const mine = ours.get(key);
    if (!mine) {
      onlyPeer.push(key);
      continue;
    }
    shared++;
    const mineTerms = normalize(mine.terms, key);
    if (setEq(mineTerms, call.terms)) sameTerms++;
    for (const term of call.terms) {
      const t = byTerm.get(term) ?? { term, peerPairs: 0, agreed: 0 };
      t.peerPairs++;
      if (mineTerms.has(term)) t.agreed++;
      byTerm.set(term, t);
    }
    if (opts.hgvs) {
      tally(hgvsC, key, mine.hgvsC ?? "", call.hgvsC ?? "");
      if (call.hgvsP || mine.hgvsP) tally(hgvsP, key, mine.hgvsP ?? "", call.hgvsP ?? "");
    }
    if (opts.aminoAcids && call.aaChange) {
      const converted = mine.hgvsP ? hgvsPToBcftools(mine.hgvsP, "") : null;
      tally(aminoAcids, key, converted ?? mine.hgvsP ?? "", call.aaChange);
    }
  }
  return {
    peer,
    shared,
    onlyPeer,
    onlyOurs,
    byTerm: [...byTerm.values()].sort((a, b) => b.peerPairs - a.peerPairs),
    sameTerms,
    ...(opts.hgvs ? { hgvsC, hgvsP } : {}),
    ...(opts.aminoAcids ? { aminoAcids } : {}),
  };
}

function tally(t: { compared: number; agreed: number; differences: string[] }, key: string, ours: string, theirs: string) {
  t.compared++;
  if (ours === theirs) t.agreed++;
  else t.differences.push(`${key}: ours ${ours || "(none)"} vs ${theirs || "(none)"}`);
}

function setEq(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : "n/a");

/** The printed report: one line per consequence class, then HGVS and amino-acid agreement. */
export function formatConcordance(c: Concordance): string {
  const lines = [
    `Concordance with ${c.peer}: ${c.shared} shared variant × transcript pairs, ${c.onlyPeer.length} only in ${c.peer}, ${c.onlyOurs.length} only in GAS`,
    `  identical term sets: ${c.sameTerms}/${c.shared} (${pct(c.sameTerms, c.shared)})`,
    ...c.byTerm.map(
      (t) => `  ${t.term.padEnd(40)} ${String(t.agreed).padStart(4)}/${String(t.peerPairs).padEnd(4)} ${pct(t.agreed, t.peerPairs)}`,
    ),
  ];
  if (c.hgvsC) lines.push(`  HGVS.c identical: ${c.hgvsC.agreed}/${c.hgvsC.compared} (${pct(c.hgvsC.agreed, c.hgvsC.compared)})`);
  if (c.hgvsP) lines.push(`  HGVS.p identical: ${c.hgvsP.agreed}/${c.hgvsP.compared} (${pct(c.hgvsP.agreed, c.hgvsP.compared)})`);
  if (c.aminoAcids)
    lines.push(
      `  amino-acid change identical: ${c.aminoAcids.agreed}/${c.aminoAcids.compared} (${pct(c.aminoAcids.agreed, c.aminoAcids.compared)})`,
    );
  return lines.join("\n");
}

export type { PeerCall };
