import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_BUNDLE_DIR, defaultBundleDir, openReference } from "./bundle.ts";
import { readManifest } from "./bundle-manifest.ts";
import { createContigResolver } from "./contig-resolver.ts";
import { openGenome } from "./fasta-reader.ts";
import { compileGeneModels, loadPreparedIndex, prepareBundle } from "./prepared-index.ts";
import { DEMO_FASTA, GENES_GFF3_GZ, REFSEQ_GFF3_GZ } from "../../../../test/support/engine/reference-fixture.ts";

const aliases = { "21": ["chr21", "NC_000021.9", "CM000683.2"], MT: ["chrM", "NC_012920.1"] };
let dir: string;
let bundle: string;

/** A copy of the demo bundle's FASTA and GFF3 with its own manifest. */
async function makeBundle(name: string, manifest: Record<string, unknown>): Promise<string> {
  const b = join(dir, name);
  await mkdir(join(b, "fasta"), { recursive: true });
  await mkdir(join(b, "genes"), { recursive: true });
  for (const ext of ["", ".fai", ".gzi"]) await copyFile(DEMO_FASTA + ext, join(b, "fasta/genome.fa.gz" + ext));
  await copyFile(GENES_GFF3_GZ, join(b, "genes/models.gff3.gz"));
  await writeFile(join(b, "manifest.json"), JSON.stringify(manifest));
  return b;
}
const baseManifest = {
  name: "test bundle",
  build: "GRCh38",
  fasta: "fasta/genome.fa.gz",
  genes: "genes/models.gff3.gz",
  known: null,
  index: "genes/models.idx.json.gz",
  contigAliases: aliases,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gas-bundle-"));
  bundle = await makeBundle("b1", baseManifest);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("prepared index", () => {
  test("prepareBundle writes an index that loads in well under a second and equals the parsed models", async () => {
    const r = await prepareBundle(bundle);
    console.log(`prepareBundle: ${r.transcripts} transcripts in ${r.ms.toFixed(0)} ms`);
    expect(r).toMatchObject({ indexPath: join(bundle, "genes/models.idx.json.gz"), transcripts: 2414 });
    const genome = await openGenome(join(bundle, "fasta/genome.fa.gz"));
    const source = { genesPath: join(bundle, "genes/models.gff3.gz"), contigs: genome.contigs(), aliases };
    const t0 = performance.now();
    const loaded = await loadPreparedIndex(r.indexPath, source);
    const ms = performance.now() - t0;
    console.log(`loadPreparedIndex: ${ms.toFixed(1)} ms for 2,414 transcripts`);
    expect(ms).toBeLessThan(1000);
    expect(loaded.status).toBe("fresh");
    const compiled = await compileGeneModels(source.genesPath, genome, aliases);
    await genome.close();
    if (loaded.status !== "fresh") throw new Error("unreachable");
    expect(loaded.models.contigs.flatMap((c) => loaded.models.load(c))).toEqual(compiled.transcripts);
    expect((await readFile(r.indexPath)).length).toBeLessThan(600_000);
  });

  test("a stale index is detected: aliases, genome contigs, gene file content; a new mtime alone is not stale", async () => {
    const b = await makeBundle("b2", baseManifest);
    const { indexPath } = await prepareBundle(b);
    const genes = join(b, "genes/models.gff3.gz");
    const contigs = [{ name: "21", length: 46709983 }];
    const load = (over: Partial<{ contigs: typeof contigs; aliases: Record<string, string[]> }> = {}) =>
      loadPreparedIndex(indexPath, { genesPath: genes, contigs, aliases, ...over });
    expect((await load()).status).toBe("fresh");
    expect(await load({ aliases: { "21": ["chr21"] } })).toMatchObject({ status: "stale", reason: "the contig aliases changed" });
    expect(await load({ contigs: [...contigs, { name: "22", length: 5 }] })).toMatchObject({ status: "stale" });
    // Same bytes, new mtime (as after a git checkout): the SHA-1 says it is still fresh.
    await utimes(genes, new Date(), new Date(Date.now() + 5000));
    expect((await load()).status).toBe("fresh");
    // Same size, different content.
    const bytes = await readFile(genes);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    await writeFile(genes, bytes);
    expect(await load()).toMatchObject({ status: "stale", reason: `${genes} changed` });
    await writeFile(genes, bytes.subarray(0, 100));
    expect(await load()).toMatchObject({ status: "stale", reason: `${genes} changed size` });
    expect((await loadPreparedIndex(join(b, "none.json.gz"), { genesPath: genes, contigs, aliases })).status).toBe("missing");
  });
});

describe("openReference", () => {
  test("bundle: index, contig synonyms, inferred cds_end_NF, known path", async () => {
    const b = await makeBundle("b3", { ...baseManifest, known: "genes/models.gff3.gz" });
    const ref = await openReference({ bundleDir: b });
    try {
      // The index was missing, so it was compiled and written.
      expect(
        (
          await loadPreparedIndex(join(b, "genes/models.idx.json.gz"), {
            genesPath: join(b, "genes/models.gff3.gz"),
            contigs: ref.genome.contigs(),
            aliases,
          })
        ).status,
      ).toBe("fresh");
      expect(ref).toMatchObject({ name: "test bundle", build: "GRCh38", knownPath: join(b, "genes/models.gff3.gz") });
      expect(ref.transcripts.size).toBe(2414);
      const [chr21, nc, cm, m, x, nope] = ["chr21", "NC_000021.9", "CM000683.2", "chrM", "chrX", "22"].map((n) => ref.resolveContig(n));
      expect([chr21, nc, cm, m, x, nope]).toEqual(["21", "21", "21", null, null, null]);
      const hits = ref.transcripts.overlapping("21", 25_600_000, 25_600_000, 0).map((t) => t.id);
      expect(hits).toContain("ENST00000419219");
      // The GFF3 does not tag it cds_end_NF; the genome shows the missing stop codon.
      const t = ref.transcripts.all().find((x) => x.id === "ENST00000419219")!;
      expect(t.coding!.endIncomplete).toBe(true);
      expect(await ref.genome.fetch("21", 25_585_751, 25_585_753)).toBe("TTA"); // MRPL39 stop (TAA, minus strand)
    } finally {
      await ref.close();
    }
    // Second open uses the index and gives the same models.
    const again = await openReference({ bundleDir: b, known: null });
    expect(again.knownPath).toBeNull();
    expect(again.transcripts.all().find((x) => x.id === "ENST00000419219")!.coding!.endIncomplete).toBe(true);
    await again.close();
  });

  test("an index that cannot be written (missing folder) is not an error", async () => {
    const b = await makeBundle("b4", { ...baseManifest, index: "no-such-dir/idx.json.gz" });
    const ref = await openReference({ bundleDir: b });
    expect(ref.transcripts.size).toBe(2414);
    await ref.close();
  });

  test("loose files: RefSeq GFF3 on NC_000021.9 lands on FASTA contig 21", async () => {
    const ref = await openReference({ fasta: DEMO_FASTA, genes: REFSEQ_GFF3_GZ });
    expect(ref.name).toBe("Homo_sapiens.GRCh38.chr21.test.fa.gz");
    expect(ref.knownPath).toBeNull();
    expect(ref.transcripts.size).toBe(81);
    expect(ref.transcripts.all().every((t) => t.contig === "21")).toBe(true);
    expect(ref.transcripts.overlapping("21", 25_600_000, 25_600_000, 0).map((t) => t.id)).toContain("NM_017446.3");
    await ref.close();
  });

  test("manifest problems name the file and the field", async () => {
    const bad = join(dir, "bad");
    await mkdir(bad, { recursive: true });
    await expect(openReference({ bundleDir: bad })).rejects.toThrow(/bad\/manifest\.json: reference bundle manifest not found/);
    await writeFile(join(bad, "manifest.json"), "{ not json");
    await expect(openReference({ bundleDir: bad })).rejects.toThrow(/manifest\.json: not valid JSON/);
    await writeFile(
      join(bad, "manifest.json"),
      JSON.stringify({ name: "x", build: "GRCh38", genes: "g.gtf", contigAliases: { "21": "chr21" } }),
    );
    await expect(openReference({ bundleDir: bad })).rejects.toThrow(/invalid manifest: field "fasta": .*; field "contigAliases\.21"/);
    await writeFile(join(bad, "manifest.json"), JSON.stringify({ name: "x", build: "GRCh38", fasta: "none.fa", genes: "g.gtf" }));
    await expect(openReference({ bundleDir: bad })).rejects.toThrow(/none\.fa: genome FASTA not found/);
    await expect(openReference({ fasta: DEMO_FASTA })).rejects.toThrow(/give a bundle folder, or both a FASTA and a gene-model file/);
  });

  test("DEFAULT_BUNDLE_DIR is the repository's demo bundle, with a valid manifest", async () => {
    const m = await readManifest(DEFAULT_BUNDLE_DIR);
    expect(m.build).toBe("GRCh38");
    expect(await Bun.file(m.fasta).exists()).toBe(true);
    expect(await Bun.file(m.genes).exists()).toBe(true);
  });
});

describe("createContigResolver", () => {
  test("exact, aliases, chr prefix, M/MT, RefSeq accessions", () => {
    const ensembl = createContigResolver(["1", "21", "X", "MT"], { "21": ["CM000683.2"] });
    expect(
      ["21", "chr21", "CM000683.2", "chrM", "M", "chrMT", "NC_012920.1", "NC_000023.11", "NC_000001.11", "chr22", "NC_000022.11"].map(
        ensembl,
      ),
    ).toEqual(["21", "21", "21", "MT", "MT", "MT", "MT", "X", "1", null, null]);
    const ucsc = createContigResolver(["chr21", "chrM"], { "21": ["NC_000021.9"] });
    expect(["21", "chr21", "MT", "M", "NC_000021.9", "chrMT"].map(ucsc)).toEqual(["chr21", "chr21", "chrM", "chrM", "chr21", "chrM"]);
  });
});

describe("the default reference", () => {
  test("from the source tree: <repo>/data/demo; in a compiled binary: data/demo beside the binary, never /data/demo", () => {
    expect(DEFAULT_BUNDLE_DIR).toBe(join(import.meta.dir, "..", "..", "..", "..", "data", "demo"));
    expect(defaultBundleDir("/$bunfs/root", "/opt/gas/releases/0.1.0/gas")).toBe("/opt/gas/releases/0.1.0/data/demo");
    expect(defaultBundleDir("/$bunfs/root/src/modules/annotator/reference", "/usr/local/bin/gas")).toBe("/usr/local/bin/data/demo");
    expect(defaultBundleDir("B:/~BUN/root", "/srv/gas/gas")).toBe("/srv/gas/data/demo");
    expect(defaultBundleDir("/work/gas/src/modules/annotator/reference", "/usr/bin/bun")).toBe("/work/gas/data/demo");
  });
});
