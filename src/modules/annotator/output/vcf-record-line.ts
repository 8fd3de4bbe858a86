/**
 * Writes one annotated VCF data line: the input record with the ID column completed by known
 * variant IDs and INFO extended with the fields the engine adds. Sample columns pass through.
 */
export interface RecordFields {
  chrom: string;
  pos: number;
  id: string;
  ref: string;
  alts: readonly string[];
  qual: string;
  filter: string;
  info: string;
  rest: string;
}

/** Union of the input's IDs and the known IDs, input order first, no duplicates. */
export function mergeIds(inputId: string, known: readonly string[]): string {
  if (known.length === 0) return inputId;
  const ids = inputId === "." || inputId === "" ? [] : inputId.split(";");
  for (const id of known) if (!ids.includes(id)) ids.push(id);
  return ids.length ? ids.join(";") : ".";
}

/**
 * INFO with `added` appended. Keys the engine writes are removed from the input first, so
 * re-annotating an annotated file replaces its ANN instead of stacking a second one.
 */
export function mergeInfo(info: string, added: readonly string[], ownedKeys: (key: string) => boolean): string {
  let kept = info === "." || info === "" ? "" : info;
  if (kept.includes("ANN=") || kept.includes("KNOWN_")) {
    kept = kept
      .split(";")
      .filter((kv) => {
        const eq = kv.indexOf("=");
        return !ownedKeys(eq < 0 ? kv : kv.slice(0, eq));
      })
      .join(";");
  }
  if (added.length === 0) return kept || ".";
  const extra = added.join(";");
  return kept ? `${kept};${extra}` : extra;
}

export function formatRecordLine(r: RecordFields, id: string, info: string): string {
  const base = `${r.chrom}\t${r.pos}\t${id}\t${r.ref}\t${r.alts.join(",")}\t${r.qual}\t${r.filter}\t${info}`;
  return r.rest ? `${base}\t${r.rest}\n` : `${base}\n`;
}
