/**
 * Ensembl GFF3 does not carry the cds_start_NF / cds_end_NF tags that its GTF has (MRPL39's
 * ENST00000419219 has no stop codon, yet its GFF3 rows look complete). With the genome at hand the
 * check is cheap: a CDS whose first codon is not a start codon, or whose last codon is not a stop,
 * is incomplete at that end. Codons containing N (no sequence) prove nothing and are left alone.
 */
import type { CodonTableId, Transcript } from "../model.ts";
import type { GenomeReader } from "./fasta-reader.ts";
import { reverseComplement } from "./transcript-sequence.ts";

const STOPS: Record<CodonTableId, ReadonlySet<string>> = {
  1: new Set(["TAA", "TAG", "TGA"]),
  2: new Set(["TAA", "TAG", "AGA", "AGG"]),
};
const STARTS: Record<CodonTableId, ReadonlySet<string>> = {
  1: new Set(["ATG"]),
  2: new Set(["ATG", "ATA", "ATT", "ATC", "GTG"]),
};

/** Genomic positions of the CDS bases at one end, in transcript orientation (3 of them). */
function codonPositions(t: Transcript, fivePrime: boolean): number[] {
  const c = t.coding!;
  const cds = t.exons.map((e) => ({ start: Math.max(e.start, c.start), end: Math.min(e.end, c.end) })).filter((e) => e.start <= e.end);
  const ascending = (t.strand === 1) === fivePrime; // walk from the low end of the genome?
  const out: number[] = [];
  const ordered = ascending ? cds : [...cds].reverse();
  for (const e of ordered) {
    for (let p = ascending ? e.start : e.end; ascending ? p <= e.end : p >= e.start; p += ascending ? 1 : -1) {
      out.push(p);
      if (out.length === 3) return out;
    }
  }
  return out;
}

async function codonAt(genome: GenomeReader, t: Transcript, fivePrime: boolean): Promise<string | null> {
  const positions = codonPositions(t, fivePrime);
  if (positions.length < 3) return null;
  // positions run 5'→3' for the + strand start, and 3'→5' for the + strand stop, and so on;
  // put them in genome order, read, then orient.
  const sorted = [...positions].sort((a, b) => a - b);
  // One fetch per run of adjacent bases (one for a codon inside an exon), not one per base.
  let forward = "";
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[j - 1]! + 1) j++;
    forward += await genome.fetch(t.contig, sorted[i]!, sorted[j - 1]!);
    i = j;
  }
  const codon = t.strand === 1 ? forward : reverseComplement(forward);
  return /^[ACGT]{3}$/.test(codon) ? codon : null;
}

/**
 * Transcripts checked between full collections. A whole genome's coding transcripts touch nearly
 * every 64 KB block of its FASTA: bench:genome inflates ~3 GB here, and JavaScriptCore let those
 * buffers pile up to +600 MB of RSS before collecting (an eden collection did not free them).
 * Collecting every 16k transcripts (~12 times on GENCODE, ~0.2 s each with its transcripts live)
 * keeps the pile near 250 MB; chr21's 2.4k transcripts never reach it.
 */
const COLLECT_EVERY = 16_384;

/**
 * Sets startIncomplete / endIncomplete where the sequence shows a missing start or stop codon.
 * Transcripts on contigs the genome lacks are skipped. Returns the number of transcripts changed.
 */
export async function markIncompleteCds(transcripts: Transcript[], genome: GenomeReader): Promise<number> {
  let changed = 0;
  let checked = 0;
  for (const t of transcripts) {
    const c = t.coding;
    if (!c || !genome.hasContig(t.contig)) continue;
    if (++checked % COLLECT_EVERY === 0) Bun.gc(true);
    let { startIncomplete, endIncomplete } = c;
    if (!startIncomplete) {
      const codon = await codonAt(genome, t, true);
      if (codon !== null && !STARTS[t.codonTable].has(codon)) startIncomplete = true;
    }
    if (!endIncomplete) {
      const codon = await codonAt(genome, t, false);
      if (codon !== null && !STOPS[t.codonTable].has(codon)) endIncomplete = true;
    }
    if (startIncomplete !== c.startIncomplete || endIncomplete !== c.endIncomplete) {
      t.coding = { ...c, startIncomplete, endIncomplete };
      changed++;
    }
  }
  return changed;
}
