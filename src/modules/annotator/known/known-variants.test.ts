import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BgzipIndexedFasta } from "@gmod/indexedfasta";
import type { Allele, GenomeWindow } from "../model.ts";
import { splitAlleles } from "../vcf/allele.ts";
import { openVcf, VcfRecord } from "../vcf/vcf-reader.ts";
import { openKnownVariants, type KnownMatch, type KnownVariants } from "./known-variants.ts";

const DEMO = join(import.meta.dir, "../../../../data/demo");
const KNOWN = join(DEMO, "known/known_variants.chr21_25-26Mb.vcf.gz");
const CUSTOM = join(DEMO, "known/vep_custom_test.vcf.gz");
const FASTA = join(DEMO, "fasta/Homo_sapiens.GRCh38.chr21.test.fa.gz");
const dir = mkdtempSync(join(tmpdir(), "gas-known-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The test's own genome access (the engine's FASTA reader lives in reference/): the demo FASTA's
 * main block loaded once into a string, N elsewhere, as GenomeWindow promises.
 */
const FROM = 24_980_001;
const TO = 26_030_000;
let bases = "";
function genome(contig = "21"): GenomeWindow {
  return {
    contig,
    slice(start, end) {
      if (start >= FROM && end <= TO) return bases.slice(start - FROM, end - FROM + 1);
      let out = "";
      for (let p = start; p <= end; p++) out += p >= FROM && p <= TO ? bases[p - FROM] : "N";
      return out;
    },
  };
}

beforeAll(async () => {
  const fa = new BgzipIndexedFasta({ path: FASTA, faiPath: `${FASTA}.fai`, gziPath: `${FASTA}.gzi` });
  bases = ((await fa.getSequence("21", FROM - 1, TO)) ?? "").toUpperCase();
  expect(bases.length).toBe(TO - FROM + 1);
});

async function recordsOf(path: string): Promise<VcfRecord[]> {
  const vcf = await openVcf(path);
  const out: VcfRecord[] = [];
  for await (const b of vcf.batches()) out.push(...b);
  await vcf.close();
  return out;
}

/** Annotates every ALT of every record the way the pipeline does: prefetch per batch, then sync. */
async function annotateAll(known: KnownVariants, recs: VcfRecord[], contig = "21", batch = 500) {
  const out: { rec: VcfRecord; allele: Allele; match: KnownMatch | null }[] = [];
  for (let i = 0; i < recs.length; i += batch) {
    const slice = recs.slice(i, i + batch);
    await known.prefetch(contig, slice[0]!.pos - 2000, slice.at(-1)!.pos + 2000);
    for (const rec of slice) {
      for (const allele of splitAlleles(rec, contig).alleles) out.push({ rec, allele, match: known.annotate(allele, genome(contig)) });
    }
  }
  return out;
}

function snv(pos: number, ref: string, alt: string, contig = "21"): Allele {
  return { contig, start: pos, end: pos, ref, alt, vcfAlt: alt };
}

describe("openKnownVariants on the demo known-variants VCF", () => {
  test("declares every added field as a Number=A ##INFO line", async () => {
    const known = await openKnownVariants(KNOWN);
    const lines = known.infoHeaderLines();
    const ids = lines.map((l) => /^##INFO=<ID=([^,]+),Number=A,Type=(Float|String),Description="[^"]+">$/.exec(l)?.[1]);
    expect(ids).toEqual([
      "KNOWN_AF",
      ...["AFR", "AMR", "EAS", "EUR", "SAS", "AA", "EA"].map((p) => `KNOWN_${p}_AF`),
      "KNOWN_gnomADe_AF",
      ...["AFR", "AMR", "ASJ", "EAS", "FIN", "MID", "NFE", "REMAINING", "SAS"].map((p) => `KNOWN_gnomADe_${p}_AF`),
      "KNOWN_AF_AF",
      "KNOWN_CLIN_SIG",
    ]);
    await known.close();
  });

  test("every ALT of test.vcf matches its own rsID (120 exact records + 12 in multi-allelic records)", async () => {
    const known = await openKnownVariants(KNOWN);
    const results = await annotateAll(known, await recordsOf(join(DEMO, "vcf/test.vcf")), "21", 40);
    expect(results).toHaveLength(132);
    expect(results.filter((r) => r.match?.ids.includes(r.rec.id)).length).toBe(132);
    expect(results.filter((r) => r.match?.info.KNOWN_AF !== undefined).length).toBeGreaterThan(100);
  });

  test("values are taken for the matched ALT of a multi-allelic record", async () => {
    const known = await openKnownVariants(KNOWN);
    await known.prefetch("21", 25592000, 25593000);
    const g = genome();
    // 21:25592835 rs115668266 C>A,T  MA=A MAF=0.0014 AFR_AF=0.0053,. gnomADe_AF=0.0004759,1.627e-05
    const a = known.annotate(snv(25592835, "C", "A"), g)!;
    expect(a.ids).toEqual(["rs115668266"]);
    expect(a.info).toMatchObject({ KNOWN_AF: "0.0014", KNOWN_AFR_AF: "0.0053", KNOWN_gnomADe_AF: "0.0004759" });
    const t = known.annotate(snv(25592835, "C", "T"), g)!;
    expect(t.ids).toEqual(["rs115668266"]);
    expect(t.info.KNOWN_AF).toBeUndefined(); // the minor allele is A, so T's frequency is unknown
    expect(t.info.KNOWN_AFR_AF).toBeUndefined(); // "." for this ALT
    expect(t.info.KNOWN_gnomADe_AF).toBe("1.627e-05");
    expect(known.annotate(snv(25592835, "C", "G"), g)).toBeNull(); // not a known ALT
    expect(known.annotate(snv(25592836, "G", "C"), g)).toBeNull();
  });

  test("KNOWN_AF is 1 - MAF when the minor allele is the REF of a biallelic site; CLIN_SIG is copied", async () => {
    const known = await openKnownVariants(KNOWN);
    await known.prefetch("21", 25004000, 25005000);
    // 21:25004177 rs370320608 A>AC MA=A MAF=0.3025
    const ins: Allele = { contig: "21", start: 25004178, end: 25004177, ref: "", alt: "C", vcfAlt: "AC" };
    expect(known.annotate(ins, genome())).toMatchObject({ ids: ["rs370320608"], info: { KNOWN_AF: "0.6975", KNOWN_AFR_AF: "0.9387" } });
    await known.prefetch("21", 25880000, 25881000);
    // 21:25880545 rs45599935 A>C CLIN_SIG=likely_benign MA=C MAF=0.0078
    expect(known.annotate(snv(25880545, "A", "C"), genome())).toMatchObject({
      ids: ["rs45599935"],
      info: { KNOWN_CLIN_SIG: "likely_benign", KNOWN_AF: "0.0078" },
    });
  });

  test("indels match whether written left-aligned or where dbSNP put them", async () => {
    const known = await openKnownVariants(KNOWN);
    await known.prefetch("21", 25002000, 25003000);
    // dbSNP: 21:25002518 rs58390758; bcftools norm moves it to 21:25002506 G>GAA.
    const leftForm = splitAlleles(new VcfRecord(1, "21", 25002506, ".", "G", "GAA", ".", ".", ".", ""), "21");
    expect(known.annotate(leftForm.alleles[0]!, genome())?.ids).toEqual(["rs58390758"]);
    const asWritten = await recordsOf(await oneRecordVcf(KNOWN, "rs58390758"));
    expect(asWritten[0]!.pos).toBe(25002518);
    expect(known.annotate(splitAlleles(asWritten[0]!, "21").alleles[0]!, genome())?.ids).toEqual(["rs58390758"]);
  });

  test("every known record, split and normalized by bcftools norm, finds its own ID (when bcftools is installed)", async () => {
    if (!Bun.which("bcftools")) return;
    const normed = join(dir, "normed.vcf");
    const p = Bun.spawnSync(["bcftools", "norm", "-f", FASTA, "-m", "-any", "-Ov", "-o", normed, KNOWN], { stderr: "pipe" });
    expect(p.exitCode).toBe(0);
    const recs = await recordsOf(normed);
    const known = await openKnownVariants(KNOWN);
    const results = await annotateAll(known, recs, "21", 4096);
    expect(results.length).toBeGreaterThan(115_000);
    const misses = results.filter((r) => !r.rec.id.split(";").some((id) => r.match?.ids.includes(id)));
    expect(misses.map((r) => `${r.rec.pos} ${r.rec.id} ${r.rec.ref}>${r.rec.alts}`)).toEqual([]);
  }, 60_000);

  test("tiny batches and no read-through (a seek per batch) still find everything", async () => {
    const known = await openKnownVariants(KNOWN, { readThroughBytes: 0 });
    const results = await annotateAll(known, await recordsOf(join(DEMO, "vcf/test.vcf")), "21", 7);
    expect(results.filter((r) => r.match?.ids.includes(r.rec.id)).length).toBe(132);
  });
});

describe("contigs and misuse", () => {
  test("chr-prefixed genome names find the known file's 21, by default or through resolveContig", async () => {
    for (const opts of [{}, { resolveContig: (n: string) => (n === "21" ? "chr21" : null) }]) {
      const known = await openKnownVariants(KNOWN, opts);
      await known.prefetch("chr21", 25585000, 25586000);
      expect(known.annotate(snv(25585733, "C", "T", "chr21"), genome("chr21"))?.ids).toEqual(["rs142513484"]);
    }
  });

  test("a contig the known file lacks gives no match; annotate before prefetch is a programming error", async () => {
    const known = await openKnownVariants(KNOWN);
    await known.prefetch("22", 1, 100_000);
    expect(known.annotate(snv(5000, "A", "G", "22"), genome("22"))).toBeNull();
    expect(() => known.annotate(snv(25585733, "C", "T"), genome())).toThrow("before prefetch");
  });

  test("a file without a tabix index is refused with a hint", async () => {
    const copy = join(dir, "noindex.vcf.gz");
    await Bun.write(copy, Bun.file(CUSTOM));
    await expect(openKnownVariants(copy)).rejects.toThrow(
      "noindex.vcf.gz: no tabix index (noindex.vcf.gz.tbi or .csi); create one with: tabix -p vcf",
    );
  });
});

describe("the synthetic VEP custom-annotation VCF", () => {
  test("each record's ALTs match the record itself, multi-allelic and indels included", async () => {
    const known = await openKnownVariants(CUSTOM);
    expect(known.infoHeaderLines()).toEqual([]); // FOO/GOO are not frequency fields
    const results = await annotateAll(known, await recordsOf(CUSTOM));
    expect(results.length).toBe(14);
    for (const r of results) {
      if (r.rec.id === ".") expect(r.match).toEqual({ ids: [], info: {} });
      else expect(r.match?.ids).toContain(r.rec.id);
    }
  });

  test("copies chosen Number=A fields when asked", async () => {
    const known = await openKnownVariants(CUSTOM, { fields: ["GOO"] });
    expect(known.infoHeaderLines()).toEqual([
      '##INFO=<ID=KNOWN_GOO,Number=A,Type=String,Description="GOO (from known variants vep_custom_test.vcf.gz, field GOO)">',
    ]);
    await known.prefetch("21", 25585000, 25586000);
    // 21:25585734 del1 ATG>A,AT GOO=A,B: the second ALT (deletes the G) gets B. del2 (TG>T at
    // 25585735, no INFO) is the same deletion written differently: its ID is added too.
    const del: Allele = { contig: "21", start: 25585736, end: 25585736, ref: "G", alt: "", vcfAlt: "AT" };
    expect(known.annotate(del, genome())).toEqual({ ids: ["del1", "del2"], info: { KNOWN_GOO: "B" } });
  });
});

/** Writes a one-record VCF (the known file's header + the record with `id`) to the temp folder. */
async function oneRecordVcf(path: string, id: string): Promise<string> {
  const text = new TextDecoder().decode(Bun.gunzipSync(await Bun.file(path).bytes()));
  const header = text.slice(0, text.indexOf("\n#CHROM") + 1);
  const column = text.slice(header.length, text.indexOf("\n", header.length) + 1);
  const line = text.split("\n").find((l) => l.split("\t")[2] === id)!;
  const out = join(dir, `${id}.vcf`);
  await Bun.write(out, `${header}${column}${line}\n`);
  return out;
}
