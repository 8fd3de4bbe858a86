/**
 * `bun bench/vcf-reader.ts [FILE]`: why the engine reads VCF with its own streaming reader.
 * Parses the same file with @gmod/vcf (line by line, after reading it whole, as its README shows)
 * and with ours (streamed), and prints lines/s of each and the ratio: medians of 3 runs.
 */
import VCF from "@gmod/vcf";
import { join } from "node:path";
import { openVcf } from "../src/modules/annotator/vcf/vcf-reader.ts";
import { median } from "./run-measured.ts";

const file = Bun.argv[2] ?? join(import.meta.dir, "out", "bench-1000000.vcf");
if (!(await Bun.file(file).exists())) throw new Error(`${file} not found: run bun run bench:annotate once to generate it`);

async function gmod(): Promise<number> {
  const text = await Bun.file(file).text();
  const lines = text.split("\n");
  const header = lines.filter((l) => l.startsWith("#")).join("\n");
  const parser = new VCF({ header });
  let n = 0;
  for (const line of lines) {
    if (!line || line.startsWith("#")) continue;
    const v = parser.parseLine(line);
    if (v.POS > 0) n++;
  }
  return n;
}

async function ours(): Promise<number> {
  const vcf = await openVcf(file);
  let n = 0;
  for await (const batch of vcf.batches()) n += batch.length;
  await vcf.close();
  return n;
}

const rates: Record<string, number[]> = { "@gmod/vcf": [], gas: [] };
for (let run = 0; run < 3; run++) {
  for (const [name, fn] of [
    ["@gmod/vcf", gmod],
    ["gas", ours],
  ] as const) {
    const t = performance.now();
    const n = await fn();
    rates[name]!.push(n / ((performance.now() - t) / 1000));
  }
}
const g = median(rates["@gmod/vcf"]!);
const o = median(rates.gas!);
console.log(
  `@gmod/vcf ${Math.round(g).toLocaleString("en-US")} lines/s; gas reader ${Math.round(o).toLocaleString("en-US")} lines/s; ratio ${(o / g).toFixed(1)}x (medians of 3)`,
);
