/**
 * Test-side reader of the engine's output VCF. Written independently of the engine's formatter
 * (output/ann-field.ts) on purpose: the end-to-end tests check the files as a downstream tool
 * would read them, so a change to the format must show up here as a failure.
 */

/** The 16 ANN sub-fields of the community "VCF annotation format", in order. */
export const ANN_STANDARD_FIELDS = [
  "Allele",
  "Annotation",
  "Annotation_Impact",
  "Gene_Name",
  "Gene_ID",
  "Feature_Type",
  "Feature_ID",
  "Transcript_BioType",
  "Rank",
  "HGVS.c",
  "HGVS.p",
  "cDNA.pos / cDNA.length",
  "CDS.pos / CDS.length",
  "AA.pos / AA.length",
  "Distance",
  "ERRORS / WARNINGS / INFO",
] as const;

/** One ANN entry, split into its 16 fields. */
export interface AnnEntry {
  allele: string;
  consequences: string[];
  impact: string;
  geneName: string;
  geneId: string;
  featureType: string;
  featureId: string;
  biotype: string;
  rank: string;
  hgvsC: string;
  hgvsP: string;
  cdnaPos: string;
  cdsPos: string;
  aaPos: string;
  distance: string;
  messages: string[];
}

/** One data line of an annotated VCF. */
export interface OutputRecord {
  /** The raw line, without the line ending. */
  raw: string;
  chrom: string;
  pos: number;
  id: string;
  ref: string;
  alts: string[];
  qual: string;
  filter: string;
  /** INFO as key → value (flags map to ""), in file order; `annCount` tells duplicates apart. */
  info: Map<string, string>;
  /** How many `ANN=` keys the INFO column holds (must be 0 or 1). */
  annCount: number;
  /** FORMAT and sample columns, tab-joined ("" without samples). */
  samples: string;
  ann: AnnEntry[];
  /** The CSQ entries, each as column name → value (names from the header's `Format:`). */
  csq: Record<string, string>[];
}

export interface AnnotatedVcf {
  meta: string[];
  columnLine: string;
  records: OutputRecord[];
  /** The CSQ columns named by the `##INFO=<ID=CSQ` header, in order; [] without one. */
  csqColumns: string[];
}

/** Parses one ANN value (the part after `ANN=`) into entries; throws when an entry lacks fields. */
export function parseAnnValue(value: string): AnnEntry[] {
  return value.split(",").map((entry) => {
    const f = entry.split("|");
    if (f.length !== 16) throw new Error(`ANN entry has ${f.length} fields, expected 16: ${entry}`);
    return {
      allele: f[0]!,
      consequences: f[1]!.split("&"),
      impact: f[2]!,
      geneName: f[3]!,
      geneId: f[4]!,
      featureType: f[5]!,
      featureId: f[6]!,
      biotype: f[7]!,
      rank: f[8]!,
      hgvsC: decodeURIComponent(f[9]!),
      hgvsP: decodeURIComponent(f[10]!),
      cdnaPos: f[11]!,
      cdsPos: f[12]!,
      aaPos: f[13]!,
      distance: f[14]!,
      messages: f[15] === "" ? [] : f[15]!.split("&"),
    };
  });
}

/** Parses one CSQ value into entries by the header's column names; throws when an entry's count differs. */
export function parseCsqValue(value: string, columns: readonly string[]): Record<string, string>[] {
  return value.split(",").map((entry) => {
    const f = entry.split("|");
    if (f.length !== columns.length) throw new Error(`CSQ entry has ${f.length} fields, expected ${columns.length}: ${entry}`);
    return Object.fromEntries(columns.map((name, i) => [name, f[i]!]));
  });
}

/** The column names of a `##INFO=<ID=CSQ,…,Description="… Format: A|B|…">` line, as bcftools +split-vep reads them. */
export function csqColumnsOf(meta: readonly string[]): string[] {
  const line = meta.find((l) => l.startsWith("##INFO=<ID=CSQ,"));
  const format = line ? /Format: ([^"]*)"/.exec(line) : null;
  return format ? format[1]!.split("|") : [];
}

/** Parses an annotated VCF's text. */
export function parseAnnotatedVcf(text: string): AnnotatedVcf {
  const meta: string[] = [];
  let columnLine = "";
  const records: OutputRecord[] = [];
  let csqColumns: string[] | undefined;
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    if (raw.startsWith("##")) {
      meta.push(raw);
      continue;
    }
    if (raw.startsWith("#")) {
      columnLine = raw;
      continue;
    }
    const cols = raw.split("\t");
    const info = new Map<string, string>();
    let annCount = 0;
    if (cols[7] !== ".") {
      for (const kv of cols[7]!.split(";")) {
        const eq = kv.indexOf("=");
        const key = eq < 0 ? kv : kv.slice(0, eq);
        if (key === "ANN") annCount++;
        info.set(key, eq < 0 ? "" : kv.slice(eq + 1));
      }
    }
    const annValue = info.get("ANN");
    const csqValue = info.get("CSQ");
    csqColumns ??= csqColumnsOf(meta);
    records.push({
      raw,
      chrom: cols[0]!,
      pos: Number(cols[1]),
      id: cols[2]!,
      ref: cols[3]!,
      alts: cols[4]!.split(","),
      qual: cols[5]!,
      filter: cols[6]!,
      info,
      annCount,
      samples: cols.slice(8).join("\t"),
      ann: annValue === undefined ? [] : parseAnnValue(annValue),
      csq: csqValue === undefined ? [] : parseCsqValue(csqValue, csqColumns),
    });
  }
  return { meta, columnLine, records, csqColumns: csqColumns ?? csqColumnsOf(meta) };
}

/** Data lines of a plain VCF text (no header), for comparisons with the input. */
export function dataLines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}
