/**
 * `bun bench/reference-load.ts BUNDLE_DIR` prints, as one JSON line, how long opening a prepared
 * bundle takes inside the process (openReference: FASTA indexes, the prepared gene-model index,
 * the transcript index) and the resident memory after it, apart from Bun's own start-up. Run by
 * bench/full-genome.ts as a child process, so each measurement starts cold.
 */
import { openReference } from "../src/modules/annotator/reference/bundle.ts";

const dir = Bun.argv[2];
if (!dir) throw new Error("usage: bun bench/reference-load.ts BUNDLE_DIR");
const started = performance.now();
const reference = await openReference({ bundleDir: dir, known: null });
const openSeconds = (performance.now() - started) / 1000;
// The first lookup is where a lazily loaded index pays for its contig.
const firstContig = reference.genome.contigs()[0]!.name;
const t1 = performance.now();
reference.transcripts.overlapping(firstContig, 1, 1e9, 0);
const firstLookupSeconds = (performance.now() - t1) / 1000;
const rssMb = process.memoryUsage().rss / 2 ** 20;
await reference.close();
console.log(JSON.stringify({ openSeconds, firstLookupSeconds, transcripts: reference.transcripts.size, rssMb }));
