/**
 * A transcript's identity and choice annotations as the gene-model files word them: the protein
 * ID, the gene's HGNC ID and symbol source, MANE, transcript support level, APPRIS and CCDS. Both
 * parsers collect the raw values into DraftXrefs; `applyXrefs` puts them on the Transcript in the
 * form VEP's CSQ columns and its --pick order use.
 *
 * Where each comes from:
 * - protein: CDS rows' `protein_id` (Ensembl/GENCODE/RefSeq GFF3, GTF) and GTF `protein_version`.
 * - HGNC: GENCODE's `hgnc_id`, RefSeq's `Dbxref=…,HGNC:HGNC:14027`, or Ensembl's gene
 *   `description=… [Source:HGNC Symbol;Acc:HGNC:620]`.
 * - symbol source: `HGNC` whenever an HGNC ID is known (VEP writes SYMBOL_SOURCE from the gene's
 *   display xref, which is HGNC's for every gene with an HGNC ID), else the description's source
 *   (`[Source:MGI Symbol…]` → MGI, `RFAM`, `miRBase`), else `EntrezGene` for a RefSeq gene named by
 *   its `GeneID` record.
 * - MANE: the tag (`MANE_Select` in Ensembl ≥ 104 and GENCODE; NCBI RefSeq writes `MANE Select`).
 *   VEP's MANE_SELECT column holds the matched transcript of the other set (the NM_ of an ENST);
 *   a RefSeq GFF3 names it in `Dbxref=Ensembl:ENST…`, Ensembl's files do not name theirs, so there
 *   the column gets the transcript's own versioned ID: still non-empty exactly for MANE transcripts.
 * - TSL: `transcript_support_level "1 (assigned to previous version 5)"` → 1; `NA` → none.
 * - APPRIS: GENCODE/Ensembl GTF tags `appris_principal_1` … `appris_alternative_2` → `P1` … `A2`.
 * - CCDS: `ccds_id` (Ensembl GTF), `ccdsid` (Ensembl GFF3, GENCODE), RefSeq CDS `Dbxref=CCDS:CCDS13573.1`, or the
 *   bare `CCDS` tag.
 */
import type { Transcript } from "../model.ts";

/** What the parsers found for one transcript; null = not given. */
export interface DraftXrefs {
  proteinId: string | null;
  proteinVersion: number | null;
  hgncId: string | null;
  symbolSource: string | null;
  /** The other set's ID of the same transcript (RefSeq's `Dbxref=Ensembl:ENST…`). */
  counterpart: string | null;
  tsl: number | null;
  ccds: string | null;
}

export function newDraftXrefs(): DraftXrefs {
  return { proteinId: null, proteinVersion: null, hgncId: null, symbolSource: null, counterpart: null, tsl: null, ccds: null };
}

/** Tags as Ensembl spells them: NCBI's `MANE Select` / `MANE Plus Clinical` get underscores. */
export function normalizeTag(tag: string): string {
  return tag.startsWith("MANE ") ? tag.replace(/ /g, "_") : tag;
}

/** `1`, `1 (assigned to previous version 5)` → 1; `NA`, anything else → null. */
export function parseTsl(value: string | null): number | null {
  const m = value === null ? null : /^\s*tsl?([1-5])\b|^\s*([1-5])\b/i.exec(value);
  return m ? Number(m[1] ?? m[2]) : null;
}

/** `appris_principal_1` → `P1`, `appris_alternative_2` → `A2` (VEP's APPRIS column); null for other tags. */
export function apprisOfTag(tag: string): string | null {
  const m = /^appris_(principal|alternative)_(\d+)$/.exec(tag);
  return m ? `${m[1] === "principal" ? "P" : "A"}${m[2]}` : null;
}

/** `HGNC:HGNC:14027` (RefSeq Dbxref), `HGNC:14027`, `14027` → `HGNC:14027`; null when not an HGNC ID. */
export function normalizeHgncId(value: string): string | null {
  const m = /^(?:HGNC:)?(?:HGNC:)?(\d+)$/.exec(value.trim());
  return m ? `HGNC:${m[1]}` : null;
}

/** Reads a Dbxref list (`GeneID:54148`, `HGNC:HGNC:14027`, `Ensembl:ENST…`, `CCDS:CCDS…`) into `x`. */
export function readDbxrefs(dbxrefs: readonly string[], x: DraftXrefs, isTranscript: boolean): void {
  for (const ref of dbxrefs) {
    const colon = ref.indexOf(":");
    if (colon <= 0) continue;
    const db = ref.slice(0, colon);
    const value = ref.slice(colon + 1);
    if (db === "HGNC") x.hgncId ??= normalizeHgncId(value);
    else if (db === "CCDS") x.ccds ??= value;
    else if (isTranscript && db === "Ensembl" && /^ENST\d/.test(value)) x.counterpart ??= value;
  }
}

/** Ensembl external DB names of the description sources whose accession is also the symbol's. */
const SYMBOL_DESCRIPTION_SOURCES: Record<string, string> = { RFAM: "RFAM", miRBase: "miRBase" };

/** Ensembl's gene description tail `[Source:HGNC Symbol;Acc:HGNC:620]` → HGNC ID and symbol source. */
export function readDescription(description: string | null, x: DraftXrefs): void {
  if (description === null) return;
  const m = /\[Source:([^;\]]+);Acc:([^\]]+)\]/.exec(description);
  if (!m) return;
  const source = m[1]!.trim();
  if (source === "HGNC Symbol") x.hgncId ??= normalizeHgncId(m[2]!);
  const symbolOf = / Symbol$/.test(source) ? source.slice(0, -" Symbol".length) : SYMBOL_DESCRIPTION_SOURCES[source];
  if (symbolOf !== undefined) x.symbolSource ??= symbolOf;
}

/** Puts the collected values on the transcript (absent fields stay absent). */
export function applyXrefs(t: Transcript, x: DraftXrefs): void {
  if (x.proteinId !== null) t.proteinId = x.proteinId;
  if (x.proteinVersion !== null) t.proteinVersion = x.proteinVersion;
  if (x.hgncId !== null) t.hgncId = x.hgncId;
  // VEP's rule: a gene with an HGNC ID has its symbol from HGNC.
  const symbolSource = x.hgncId !== null ? "HGNC" : x.symbolSource;
  if (symbolSource !== null) t.symbolSource = symbolSource;
  const ownId = t.version !== null ? `${t.id}.${t.version}` : t.id;
  let appris: string | null = null;
  for (const tag of t.tags) {
    if (tag === "MANE_Select") t.maneSelect = x.counterpart ?? ownId;
    else if (tag === "MANE_Plus_Clinical") t.manePlusClinical = x.counterpart ?? ownId;
    else if (appris === null) appris = apprisOfTag(tag);
  }
  if (appris !== null) t.appris = appris;
  if (x.tsl !== null) t.tsl = x.tsl;
  const ccds = x.ccds ?? (t.tags.includes("CCDS") ? "CCDS" : null);
  if (ccds !== null) t.ccds = ccds;
}
