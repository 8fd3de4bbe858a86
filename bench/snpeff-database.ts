import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export const SNPEFF_GENOME = "GRCh38.gas";

/**
 * Builds a SnpEff database from the demo bundle's GTF and FASTA (once; reused while present),
 * the way the refdata README's expected outputs were made: `snpEff build -gtf22`. SnpEff wants
 * the GTF sorted gene → transcript → exon and a plain FASTA named sequences.fa.
 * Returns the config path to pass with `-c`.
 */
export async function ensureSnpEffDatabase(outDir: string, gtfGz: string, fastaGz: string): Promise<string> {
  const root = join(outDir, "snpeff");
  const config = join(root, "snpEff.config");
  const dataDir = join(root, "data", SNPEFF_GENOME);
  if (await Bun.file(join(dataDir, "snpEffectPredictor.bin")).exists()) return config;
  await mkdir(dataDir, { recursive: true });
  await Bun.write(config, `data.dir = ${join(root, "data")}/\n${SNPEFF_GENOME}.genome : GAS demo GRCh38 chr21\n`);
  await Bun.write(join(dataDir, "genes.gtf"), sortGtf(new TextDecoder().decode(gunzipSync(await Bun.file(gtfGz).bytes()))));
  await Bun.write(join(dataDir, "sequences.fa"), gunzipSync(await Bun.file(fastaGz).bytes()));
  const proc = Bun.spawn(["snpEff", "build", "-gtf22", "-noCheckCds", "-noCheckProtein", "-c", config, SNPEFF_GENOME], {
    stdout: "ignore",
    stderr: "pipe",
  });
  const err = await new Response(proc.stderr).text();
  if ((await proc.exited) !== 0) throw new Error(`snpEff build failed:\n${err.slice(-2000)}`);
  return config;
}

/** Orders GTF rows gene → transcript → features, which SnpEff's GTF parser needs. */
function sortGtf(text: string): string {
  const rank: Record<string, number> = { gene: 0, transcript: 1 };
  const rows = text.split("\n").filter((l) => l && !l.startsWith("#"));
  const key = (l: string) => {
    const f = l.split("\t");
    const gene = /gene_id "([^"]+)"/.exec(f[8] ?? "")?.[1] ?? "";
    const tx = /transcript_id "([^"]+)"/.exec(f[8] ?? "")?.[1] ?? "";
    return { gene, tx, r: rank[f[2] ?? ""] ?? 2, start: Number(f[3]) };
  };
  const keyed = rows.map((l) => ({ l, k: key(l) }));
  keyed.sort(
    (a, b) =>
      a.k.gene.localeCompare(b.k.gene) ||
      (a.k.r === 0 ? -1 : b.k.r === 0 ? 1 : a.k.tx.localeCompare(b.k.tx) || a.k.r - b.k.r || a.k.start - b.k.start),
  );
  return `${keyed.map((x) => x.l).join("\n")}\n`;
}
