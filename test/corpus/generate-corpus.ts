/**
 * The large members of the hostile-input corpus, generated rather than committed: gzip bombs
 * (up to 1 GiB inflated from about 1 MB), a VCF with one 10 MB line, and a header with 100,000 contigs.
 * The small members are plain files beside this script.
 *
 * Run by hand: `bun test/corpus/generate-corpus.ts OUT_DIR` writes them to OUT_DIR.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

const DEMO_VCF = join(import.meta.dir, "..", "..", "data", "demo", "vcf", "test.vcf");

/** How many bytes a gzip bomb inflates to. */
export const BOMB_INFLATED_BYTES = 1 << 30;

/**
 * A multi-member gzip stream whose members each inflate `chunk`: `repeat` copies of one small
 * compressed member, so the bomb is built without ever holding the inflated gigabyte.
 */
function bomb(prefix: string, chunk: Uint8Array<ArrayBuffer>, repeat: number): Uint8Array {
  const head = Bun.gzipSync(prefix);
  const member = Bun.gzipSync(chunk, { level: 9 });
  const out = new Uint8Array(head.length + member.length * repeat);
  out.set(head, 0);
  for (let i = 0; i < repeat; i++) out.set(member, head.length + i * member.length);
  return out;
}

/** Writes the generated files into `dir`; returns their paths by name. */
export async function generateLargeCorpus(dir: string): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const demo = await Bun.file(DEMO_VCF).text();
  const header = demo.split("\n").filter((l) => l.startsWith("#"));
  const records = demo.split("\n").filter((l) => l && !l.startsWith("#"));
  const chunk = 64 << 20;
  const repeat = BOMB_INFLATED_BYTES / chunk;
  const files: Record<string, Uint8Array | string> = {
    // 1 GiB of NUL bytes: the classic bomb.
    "gzip-bomb-zeros.vcf.gz": bomb("", new Uint8Array(chunk), repeat),
    // A valid header, then 1 GiB of "A" with no line end: one endless line.
    "gzip-bomb-one-line.vcf.gz": bomb(`${header.join("\n")}\n`, new Uint8Array(chunk).fill(0x41), repeat),
    // A valid header and records, then 256 MiB of blank lines (skipped one by one: a quarter of
    // the size keeps the test quick while still far beyond any buffer).
    "gzip-bomb-blank-lines.vcf.gz": bomb(`${[...header, ...records].join("\n")}\n`, new Uint8Array(chunk).fill(0x0a), repeat / 4),
    // A record whose INFO is 10 MB long.
    "line-10mb.vcf": `${header.join("\n")}\n${records[0]!.replace(/\t\.\tGT/, `\tX=${"A".repeat(10 << 20)}\tGT`)}\n${records.slice(1).join("\n")}\n`,
    // 100,000 contig lines before the real header and records.
    "contigs-100k.vcf": [
      header[0],
      ...Array.from({ length: 100_000 }, (_, i) => `##contig=<ID=scaffold_${i},length=${1000 + i}>`),
      ...header.slice(1),
      ...records,
      "",
    ].join("\n"),
  };
  const paths: Record<string, string> = {};
  for (const [name, body] of Object.entries(files)) {
    paths[name] = join(dir, name);
    await Bun.write(paths[name]!, body);
  }
  return paths;
}

if (import.meta.main) {
  const out = process.argv[2];
  if (!out) throw new Error("usage: bun test/corpus/generate-corpus.ts OUT_DIR");
  for (const [name, path] of Object.entries(await generateLargeCorpus(out)))
    console.log(`${name}\t${(await Bun.file(path).arrayBuffer()).byteLength} bytes`);
}
