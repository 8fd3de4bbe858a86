/**
 * Copies of the strings a parsed transcript keeps. In Bun (JavaScriptCore) a slice shares its
 * base string, so an ID cut from a gene-model line keeps alive the 128 KiB of decoded text the
 * line was cut from (io/compressed-lines.ts): measured, 2,000 slices of 20 characters from
 * 2,000 such pieces held 280 MB, their copies 12 MB. A streamed GENCODE-sized GFF3 (bench:genome,
 * 935 MB of text) would stay resident through its transcripts' IDs alone.
 */
import type { Transcript } from "../model.ts";

/** A flat copy: JSON.parse builds a new string (measured as above; `" " + s` sliced was not one). */
export const detached = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

/** One copy per distinct value, for the strings transcripts repeat (biotypes, tags, gene IDs). */
export class StringCopies {
  private readonly byValue = new Map<string, string>();

  shared(s: string): string {
    let c = this.byValue.get(s);
    if (c === undefined) {
      c = detached(s);
      this.byValue.set(c, c); // keyed by the copy: the map must not hold the slice either
    }
    return c;
  }

  sharedOrNull(s: string | null): string | null {
    return s === null ? null : this.shared(s);
  }
}

/** Replaces the transcript's strings by copies (in place) and returns it. */
export function detachStrings(t: Transcript, copies: StringCopies): Transcript {
  t.id = detached(t.id);
  t.geneId = copies.shared(t.geneId);
  t.geneName = copies.shared(t.geneName);
  t.biotype = copies.shared(t.biotype);
  t.contig = copies.shared(t.contig);
  for (let i = 0; i < t.tags.length; i++) t.tags[i] = copies.shared(t.tags[i]!);
  if (t.proteinId !== undefined) t.proteinId = detached(t.proteinId);
  if (t.hgncId !== undefined) t.hgncId = copies.shared(t.hgncId);
  if (t.symbolSource !== undefined) t.symbolSource = copies.shared(t.symbolSource);
  if (t.maneSelect !== undefined) t.maneSelect = detached(t.maneSelect);
  if (t.manePlusClinical !== undefined) t.manePlusClinical = detached(t.manePlusClinical);
  if (t.appris !== undefined) t.appris = copies.shared(t.appris);
  if (t.ccds !== undefined) t.ccds = detached(t.ccds);
  return t;
}
