import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { benchVcfLines, generateBenchVcf } from "./generate-vcf.ts";
import { DEMO_FASTA as FASTA, DEMO_KNOWN as KNOWN } from "./demo-files.ts";

describe("bench VCF generator", () => {
  test("the sites-only file is byte for byte what earlier benchmarks and tests were measured on", async () => {
    // Hash of the generator's output before sample columns and known picks were added (2,000
    // records, default seed). A change here changes every figure measured on these files.
    const text = await generateBenchVcf(FASTA, 2000);
    expect(text.length).toBe(49_177);
    expect(Bun.hash(text).toString(16)).toBe("6265b489b0a05021");
  });

  test("a trio call set: every record carried by someone, children inherit from parents, known picks match the known file", async () => {
    const lines = [...(await benchVcfLines(FASTA, 5000, { samples: 3, known: KNOWN, knownShare: 0.5 }))];
    const header = lines.find((l) => l.startsWith("#CHROM"))!;
    expect(header.split("\t").slice(8)).toEqual(["FORMAT", "NA12878", "NA12891", "NA12892"]);
    const records = lines.filter((l) => !l.startsWith("#"));
    expect(records).toHaveLength(5000);
    const knownSites = new Set(
      gunzipSync(await Bun.file(KNOWN).bytes())
        .toString()
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => {
          const f = l.split("\t");
          return `${f[1]}:${f[3]}:${f[4]}`;
        }),
    );
    let lastPos = 0;
    let inKnown = 0;
    let lowQual = 0;
    const classes = new Map<string, number>();
    for (const r of records) {
      const f = r.split("\t");
      const pos = Number(f[1]);
      expect(pos).toBeGreaterThanOrEqual(lastPos);
      lastPos = pos;
      if (knownSites.has(`${f[1]}:${f[3]}:${f[4]}`)) inKnown++;
      if (f[6] === "LowQual") lowQual++;
      else expect(f[6]).toBe("PASS");
      expect(f[8]).toBe("GT:DP:GQ");
      const gts = f.slice(9).map((s) => s.split(":")[0]!);
      for (const g of gts) classes.set(g, (classes.get(g) ?? 0) + 1);
      expect(gts.some((g) => g === "0/1" || g === "1/1")).toBe(true);
      const [child, father, mother] = gts.map((g) => (g === "./." ? null : g.split("/").map(Number)));
      if (child && father && mother) {
        // One allele from each parent, in either order.
        const fromFather = (a: number) => father.includes(a);
        const fromMother = (a: number) => mother.includes(a);
        expect((fromFather(child[0]!) && fromMother(child[1]!)) || (fromFather(child[1]!) && fromMother(child[0]!))).toBe(true);
      }
      const ac = gts.reduce((s, g) => s + (g === "./." ? 0 : Number(g[0]) + Number(g[2])), 0);
      expect(f[7]).toStartWith(`AC=${ac};AN=${gts.filter((g) => g !== "./.").length * 2};DP=`);
    }
    // Half drawn from the known file (random SNVs land on a known allele now and then too).
    expect(inKnown / records.length).toBeGreaterThan(0.45);
    expect(inKnown / records.length).toBeLessThan(0.6);
    expect(lowQual / records.length).toBeGreaterThan(0.05);
    expect(lowQual / records.length).toBeLessThan(0.11);
    for (const g of ["0/0", "0/1", "1/1", "./."]) expect(classes.get(g) ?? 0).toBeGreaterThan(0);
  });
});
