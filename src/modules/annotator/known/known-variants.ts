/**
 * Known-variant lookup (dbSNP-like VCF, bgzip + tabix): fills the ID column with rsIDs and adds
 * allele frequencies. Matching is by normalized allele: both the input ALT and every known ALT
 * are trimmed and left-aligned against the genome, because dbSNP positions are not
 * left-normalized; an input ALT matches when it equals one of a known record's ALTs.
 *
 * Access pattern: `prefetch` loads fixed windows through tabix (async), `annotate` is synchronous
 * and only reads loaded windows, so the engine's hot loop never awaits.
 */
import { basename } from "node:path";
import { TabixIndexedFile } from "@gmod/tabix";
import type { Allele, GenomeWindow } from "../model.ts";
import { leftAlign, rightAlign } from "../vcf/allele.ts";
import { compileKnownInfoExtractor, parseInfoDeclarations, planKnownInfo, type KnownInfoPlan } from "./known-info.ts";
import { KnownWindow, alleleKey, type ParsedKnown } from "./known-window.ts";

/** What a known variant contributes to one ALT: its IDs and INFO values (keys `KNOWN_*`). */
export interface KnownMatch {
  ids: string[];
  info: Record<string, string>;
}

export interface KnownVariants {
  /** `##INFO` lines for every field `annotate` can return (all Number=A). */
  infoHeaderLines(): string[];
  /**
   * Loads the known variants of `contig` (genome name) between start and end (1-based, padded by
   * the caller). Windows are cached, so sorted input costs about one tabix query per window.
   */
  prefetch(contig: string, start: number, end: number): Promise<void>;
  /** The known variants equal to `allele` after normalization, or null. Needs a prior prefetch. */
  annotate(allele: Allele, genome: GenomeWindow): KnownMatch | null;
  close(): Promise<void>;
}

export interface KnownVariantsOptions {
  /**
   * Maps a contig name used by the known VCF to the genome's (FASTA) name, or null when unknown.
   * Without it (or when it returns null) names match as written, then with `chr` added/removed
   * and chrM/MT treated as one.
   */
  resolveContig?: (name: string) => string | null | undefined;
  /** INFO fields to copy as `KNOWN_<ID>` (default: every Number=A field whose ID ends in AF). */
  fields?: readonly string[];
  /** Window size in bases (default 32768: ~10k dbSNP records, one or two BGZF blocks' worth of index). */
  windowSize?: number;
  /** Windows kept beyond those in use by the current batch (default 64). */
  maxWindows?: number;
  /** Path of the index (default: `path + ".tbi"`, or `.csi` when only that exists). */
  indexPath?: string;
}

/** Opens a bgzipped, tabix-indexed VCF of known variants and reads its header. */
export async function openKnownVariants(path: string, opts: KnownVariantsOptions = {}): Promise<KnownVariants> {
  const indexPath = opts.indexPath ?? (await pickIndex(path));
  const tabix = new TabixIndexedFile(indexPath.endsWith(".csi") ? { path, csiPath: indexPath } : { path, tbiPath: indexPath });
  const headerText = await tabix.getHeader();
  if (!headerText.startsWith("##fileformat=VCF")) {
    throw new Error(`${basename(path)}: line 1: not a VCF file (known variants must be a bgzipped, tabix-indexed VCF)`);
  }
  const plan: KnownInfoPlan = planKnownInfo(parseInfoDeclarations(headerText), basename(path), opts.fields);
  const extract = compileKnownInfoExtractor(plan);
  const contigMap = buildContigMap(await tabix.getReferenceSequenceNames(), opts.resolveContig);
  const windowSize = opts.windowSize ?? 32768;
  const maxWindows = opts.maxWindows ?? 64;

  // Windows by contig then index. `generation` advances each time prefetching starts again after
  // annotating; windows used in the current or previous generation are never evicted, so the
  // batch being annotated keeps its windows even when the next batch is prefetched meanwhile.
  const windows = new Map<string, Map<number, KnownWindow>>();
  const loading = new Map<string, Promise<void>>();
  let windowCount = 0;
  let generation = 1;
  let lastCall: "prefetch" | "annotate" = "annotate";

  async function loadWindow(contig: string, knownName: string, index: number): Promise<void> {
    const start = index * windowSize + 1;
    const w = new KnownWindow(start, start + windowSize - 1);
    await tabix.getLines(knownName, start - 1, start - 1 + windowSize, (line, _off, s, e) => {
      // Records spanning a window edge come back for both windows: keep each in its POS's window.
      if (s + 1 >= start) w.add(line, s + 1, e - s);
    });
    w.lastUse = generation;
    let perContig = windows.get(contig);
    if (!perContig) windows.set(contig, (perContig = new Map()));
    perContig.set(index, w);
    windowCount++;
  }

  function evict(): void {
    if (windowCount <= maxWindows) return;
    const old: [string, number, KnownWindow][] = [];
    for (const [contig, m] of windows) for (const [i, w] of m) if (w.lastUse < generation - 1) old.push([contig, i, w]);
    old.sort((a, b) => a[2].lastUse - b[2].lastUse);
    for (const [contig, i] of old) {
      if (windowCount <= maxWindows) break;
      windows.get(contig)!.delete(i);
      windowCount--;
    }
  }

  function matchIn(allele: Allele, genome: GenomeWindow, perContig: Map<number, KnownWindow>): KnownMatch | null {
    const left = leftAlign(allele, genome);
    const right = rightAlign(allele, genome);
    const key = alleleKey(left);
    let match: KnownMatch | null = null;
    const visit = (p: ParsedKnown) => {
      for (let i = 0; i < p.keys.length; i++) {
        if (p.keys[i] !== key) continue;
        match ??= { ids: [], info: {} };
        for (const id of p.ids) if (!match.ids.includes(id)) match.ids.push(id);
        const values = (p.extracted[i] ??= extract(p.info, i, p.ref, p.alts, p.trimmed[i]!));
        for (const k in values) match.info[k] ??= values[k]!; // first matching record wins per field
      }
    };
    const first = Math.floor((left.start - 65) / windowSize);
    const last = Math.floor((right.start - 1) / windowSize);
    for (let i = Math.max(0, first); i <= last; i++) {
      const w = perContig.get(i);
      if (!w) {
        if (i === Math.floor((allele.start - 1) / windowSize)) {
          throw new Error(`known variants: annotate() for ${allele.contig}:${allele.start} before prefetch() of that region`);
        }
        continue; // a neighbour outside the prefetched padding: nothing loaded there
      }
      w.lastUse = generation;
      w.candidates(left.start, right.start, genome, allele.contig, visit);
    }
    return match;
  }

  return {
    infoHeaderLines: () => [...plan.headerLines],

    async prefetch(contig, start, end) {
      if (lastCall === "annotate") generation++;
      lastCall = "prefetch";
      const knownName = contigMap(contig);
      if (knownName === null) return;
      const first = Math.max(0, Math.floor((start - 1) / windowSize));
      const last = Math.max(first, Math.floor((end - 1) / windowSize));
      const pending: Promise<void>[] = [];
      for (let i = first; i <= last; i++) {
        const have = windows.get(contig)?.get(i);
        if (have) {
          have.lastUse = generation;
          continue;
        }
        const key = `${contig}\t${i}`;
        let p = loading.get(key);
        if (!p) {
          p = loadWindow(contig, knownName, i).finally(() => loading.delete(key));
          loading.set(key, p);
        }
        pending.push(p);
      }
      await Promise.all(pending);
      evict();
    },

    annotate(allele, genome) {
      lastCall = "annotate";
      const perContig = windows.get(allele.contig);
      if (!perContig) {
        if (contigMap(allele.contig) === null) return null;
        throw new Error(`known variants: annotate() for ${allele.contig}:${allele.start} before prefetch() of that region`);
      }
      return matchIn(allele, genome, perContig);
    },

    async close() {
      windows.clear();
      windowCount = 0;
    },
  };
}

async function pickIndex(path: string): Promise<string> {
  if (await Bun.file(`${path}.tbi`).exists()) return `${path}.tbi`;
  if (await Bun.file(`${path}.csi`).exists()) return `${path}.csi`;
  throw new Error(`${basename(path)}: no tabix index (${basename(path)}.tbi or .csi); create one with: tabix -p vcf ${path}`);
}

/** Genome contig name → the known file's name for it (or null), memoized. */
function buildContigMap(knownNames: string[], resolve?: (name: string) => string | null | undefined): (contig: string) => string | null {
  const byGenome = new Map<string, string>();
  for (const n of knownNames) {
    const g = resolve?.(n);
    if (g && !byGenome.has(g)) byGenome.set(g, n);
  }
  const known = new Set(knownNames);
  const cache = new Map<string, string | null>();
  return (contig) => {
    let r = cache.get(contig);
    if (r !== undefined) return r;
    r = byGenome.get(contig) ?? synonyms(contig).find((s) => known.has(s)) ?? null;
    cache.set(contig, r);
    return r;
  };
}

function synonyms(name: string): string[] {
  const bare = name.replace(/^chr/i, "");
  const out = [name, bare, `chr${bare}`];
  if (bare === "M" || bare === "MT") out.push("MT", "M", "chrM", "chrMT");
  return out;
}
