/**
 * Known-variant lookup (dbSNP-like VCF, bgzip + tabix): fills the ID column with rsIDs and adds
 * allele frequencies. Matching is by normalized allele: both the input ALT and every known ALT
 * are trimmed and left-aligned against the genome, because dbSNP positions are not
 * left-normalized; an input ALT matches when it equals one of a known record's ALTs.
 *
 * Access pattern: a merge join of two position-sorted streams. `prefetch` (async) extends, per
 * contig, a buffer of the known file's records by reading the bgzip file sequentially; tabix is
 * used only to seek, when the input jumps (another contig, backwards, or further ahead than
 * reading through would cost). `annotate` is synchronous and only reads the buffer, so the
 * engine's hot loop never awaits. Each known record is parsed and normalized once, when an input
 * allele first comes near it. Before this, every 32 kb window was a tabix query and every input
 * allele built string keys: known variants doubled the single-thread CPU time of the 1M-variant
 * bench (12.7 s against 6.5 s without); the join's figures are in bench/README.md.
 */
import { basename } from "node:path";
import { CSI, TBI, type VirtualOffset } from "@gmod/tabix";
import { LocalFile } from "generic-filehandle2";
import { BgzfLineReader } from "../io/bgzf-line-reader.ts";
import type { Allele, GenomeWindow } from "../model.ts";
import { leftAlign, rightAlign } from "../vcf/allele.ts";
import { compileKnownInfoExtractor, parseInfoDeclarations, planKnownInfo, type KnownInfoPlan } from "./known-info.ts";
import { KnownWindow, type ParsedKnown, recordSpan, snvKey } from "./known-window.ts";

/** What a known variant contributes to one ALT: its IDs and INFO values (keys `KNOWN_*`). */
export interface KnownMatch {
  ids: string[];
  info: Record<string, string>;
  /** The `KEY=value` INFO fields of a one-ALT record, rendered once by the writer (record-annotator.ts). */
  fields?: string[];
}

export interface KnownVariants {
  /** `##INFO` lines for every field `annotate` can return (all Number=A). */
  infoHeaderLines(): string[];
  /**
   * Loads the known variants of `contig` (genome name) between start and end (1-based, padded by
   * the caller). Calls made between two rounds of `annotate` are one batch: their regions stay
   * loaded until the next batch's first prefetch. Sorted input reads the file once, in order.
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
  /** Path of the index (default: `path + ".tbi"`, or `.csi` when only that exists). */
  indexPath?: string;
  /**
   * Compressed bytes the reader reads through rather than seek over when the input skips ahead
   * (default 512 KiB: reading a BGZF block is ~0.1 ms, a seek is an index query and a read).
   */
  readThroughBytes?: number;
}

/**
 * Records kept behind a batch's first region when the next batch starts: room for the left shift
 * of an indel in a repeat (its normalized start precedes its position).
 */
const KEEP_BEHIND = 4096;

/** One contig's side of the join: the buffered records and where the file reader stands. */
interface ContigStream {
  knownName: string;
  records: KnownWindow;
  reader: BgzfLineReader | null;
  /** The reader stands at or before the first record not yet taken (false until the first seek). */
  positioned: boolean;
  /** Lines read from the file but not yet taken (the first lies beyond `readTo`). */
  pending: string[];
  pendingAt: number;
  /** Every record of the file with POS in [lo, readTo] is in `records` (or was skipped by a seek over a gap no batch asked for). */
  lo: number;
  readTo: number;
  /** The reader has passed the contig's last record. */
  done: boolean;
  /** Generation (batch) that last used it. */
  generation: number;
}

/** Opens a bgzipped, tabix-indexed VCF of known variants and reads its header. */
export async function openKnownVariants(path: string, opts: KnownVariantsOptions = {}): Promise<KnownVariants> {
  const indexPath = opts.indexPath ?? (await pickIndex(path));
  const index = indexPath.endsWith(".csi")
    ? new CSI({ filehandle: new LocalFile(indexPath) })
    : new TBI({ filehandle: new LocalFile(indexPath) });
  const header = await BgzfLineReader.open(path);
  let headerText = "";
  try {
    headerText = await readHeader(header);
  } finally {
    await header.close();
  }
  if (!headerText.startsWith("##fileformat=VCF")) {
    throw new Error(`${basename(path)}: line 1: not a VCF file (known variants must be a bgzipped, tabix-indexed VCF)`);
  }
  const plan: KnownInfoPlan = planKnownInfo(parseInfoDeclarations(headerText), basename(path), opts.fields);
  const extract = compileKnownInfoExtractor(plan);
  const contigMap = buildContigMap((await index.getMetadata()).refIdToName, opts.resolveContig);
  const readThrough = opts.readThroughBytes ?? 512 << 10;

  const streams = new Map<string, ContigStream>();
  // `generation` advances each time prefetching starts again after annotating: a batch's regions
  // stay buffered until the next batch begins.
  let generation = 1;
  let lastCall: "prefetch" | "annotate" = "annotate";
  // Prefetches run one after another, in the order they were called (the pipeline calls them for
  // a batch's clusters in position order without awaiting each).
  let queue: Promise<void> = Promise.resolve();
  const found: ParsedKnown[] = [];
  let lastContig: string | null = null;
  let lastStream: ContigStream | undefined;

  async function extend(contig: string, knownName: string, start: number, end: number): Promise<void> {
    let s = streams.get(contig);
    if (!s) {
      s = {
        knownName,
        records: new KnownWindow(),
        reader: null,
        positioned: false,
        pending: [],
        pendingAt: 0,
        lo: start,
        readTo: start - 1,
        done: false,
        generation,
      };
      streams.set(contig, s);
    } else if (s.generation !== generation) {
      s.generation = generation;
      if (start < s.lo) {
        // The input went back: start over from the index.
        s.records.clear();
        s.pending = [];
        s.pendingAt = 0;
        s.positioned = false;
        s.done = false;
        s.lo = start;
        s.readTo = start - 1;
      } else {
        // Forward: what lies well behind this batch is no longer needed.
        s.records.dropBefore(start - KEEP_BEHIND);
        s.lo = Math.max(s.lo, start - KEEP_BEHIND);
      }
    }
    if (end <= s.readTo || s.done) return;
    const from = Math.max(start, s.readTo + 1);
    if ((start > s.readTo + 1 || !s.positioned) && !(await position(s, from, end))) {
      s.readTo = end; // the index has no record overlapping [from, end]
      return;
    }
    await readUntil(s, from, end);
  }

  /**
   * Makes sure the reader will meet every record overlapping [from, end]: reads on from where it
   * stands when they are at most `readThrough` bytes ahead, seeks through the index otherwise.
   * False when the index has no record there.
   */
  async function position(s: ContigStream, from: number, end: number): Promise<boolean> {
    const chunks = await index.blocksForRange(s.knownName, from - 1, end);
    let at: VirtualOffset | null = null;
    for (const c of chunks) if (at === null || c.minv.compareTo(at) < 0) at = c.minv;
    if (at === null) return false;
    if (!s.positioned || s.reader === null || at.blockPosition - s.reader.position > readThrough) {
      s.reader ??= await BgzfLineReader.open(path);
      s.reader.seek(at.blockPosition, at.dataPosition);
      s.positioned = true;
      s.pending = [];
      s.pendingAt = 0;
      s.done = false;
    }
    return true;
  }

  /** Takes records from the file until one lies beyond `end`; those below `skipBelow` are passed over. */
  async function readUntil(s: ContigStream, skipBelow: number, end: number): Promise<void> {
    const name = s.knownName;
    for (;;) {
      if (s.pendingAt >= s.pending.length) {
        const lines = s.reader ? await s.reader.next() : null;
        if (lines === null) {
          s.done = true;
          s.readTo = Number.POSITIVE_INFINITY;
          return;
        }
        s.pending = lines;
        s.pendingAt = 0;
      }
      const lines = s.pending;
      while (s.pendingAt < lines.length) {
        const line = lines[s.pendingAt]!;
        if (line === "" || line.charCodeAt(0) === 35) {
          s.pendingAt++;
          continue;
        }
        if (!(line.startsWith(name) && line.charCodeAt(name.length) === 9)) {
          // The next contig: this one is read to its end.
          s.done = true;
          s.readTo = Number.POSITIVE_INFINITY;
          return;
        }
        const span = recordSpan(line);
        if (span === null) throw new Error(`${basename(path)}: not a VCF record: ${line.slice(0, 80)}`);
        if (span.pos > end) {
          s.readTo = Math.max(s.readTo, end);
          return;
        }
        s.pendingAt++;
        if (span.pos >= skipBelow) s.records.add(line, span.pos, span.refLen);
      }
    }
  }

  function evict(): void {
    for (const [contig, s] of streams) {
      if (s.generation < generation - 1) {
        streams.delete(contig);
        void s.reader?.close();
      }
    }
  }

  return {
    infoHeaderLines: () => [...plan.headerLines],

    prefetch(contig, start, end) {
      lastContig = null; // streams may be added or evicted below
      if (lastCall === "annotate") {
        generation++;
        evict();
      }
      lastCall = "prefetch";
      const knownName = contigMap(contig);
      if (knownName === null) return Promise.resolve();
      const from = Math.max(1, start);
      const done = queue.then(() => extend(contig, knownName, from, Math.max(from, end)));
      queue = done.catch(() => {});
      return done;
    },

    annotate(allele, genome) {
      lastCall = "annotate";
      // The stream of the previous allele's contig, nearly always this one's: no Map get per allele.
      if (allele.contig !== lastContig) {
        lastContig = allele.contig;
        lastStream = streams.get(allele.contig);
      }
      const s = lastStream;
      if (!s || allele.start < s.lo || allele.start > s.readTo) {
        if (contigMap(allele.contig) === null) return null;
        throw new Error(`known variants: annotate() for ${allele.contig}:${allele.start} before prefetch() of that region`);
      }
      if (s.records.size === 0) return null;
      // SNVs and MNPs have one normalized form; indels are bounded by their left- and
      // right-aligned forms.
      const indel = allele.ref === "" || allele.alt === "";
      const left = indel ? leftAlign(allele, genome) : allele;
      const rightStart = indel ? rightAlign(allele, genome).start : allele.start;
      const snvQuery = !indel && allele.ref.length === 1 && allele.alt.length === 1 ? snvKey(allele.ref, allele.alt) : 0;
      const candidates = s.records.candidates(left.start, rightStart, snvQuery, genome, allele.contig, found);
      let match: KnownMatch | null = null;
      let only: KnownMatch | undefined; // the match when one record's ALT is all that matched
      for (let c = 0; c < candidates.length; c++) {
        const p = candidates[c]!;
        for (let i = 0; i < p.norm.length; i++) {
          const n = p.norm[i];
          if (n == null || n.start !== left.start || n.ref !== left.ref || n.alt !== left.alt) continue;
          const values = (p.extracted[i] ??= extract(p.info, i, p.ref, p.alts, p.trimmed[i]!));
          if (match === null && only === undefined) {
            // Kept on the record: an input with the same variant twice (or a rerun of a batch)
            // gets the same object, and the writer renders its INFO fields once (KnownMatch.fields).
            // Its IDs are read, never changed (a merge below copies them): one ID needs no Set.
            only = p.matches[i] ??= { ids: p.ids.length < 2 ? p.ids : [...new Set(p.ids)], info: values };
            continue;
          }
          if (match === null) {
            match = { ids: [...only!.ids], info: { ...only!.info } };
            only = undefined;
          }
          for (const id of p.ids) if (!match.ids.includes(id)) match.ids.push(id);
          for (const k in values) match.info[k] ??= values[k]!; // first matching record wins per field
        }
      }
      if (only !== undefined) match = only;
      if (found.length !== 0) found.length = 0; // guarded: see KnownWindow.candidates
      return match;
    },

    async close() {
      await queue;
      for (const s of streams.values()) await s.reader?.close();
      streams.clear();
      lastContig = null;
    },
  };
}

/** The header lines (up to `#CHROM`), read from the start of the file. */
async function readHeader(reader: BgzfLineReader): Promise<string> {
  const out: string[] = [];
  for (;;) {
    const lines = await reader.next();
    if (lines === null) return out.join("\n");
    for (const line of lines) {
      if (!line.startsWith("#")) return out.join("\n");
      out.push(line);
      if (line.startsWith("#CHROM")) return out.join("\n");
    }
  }
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
