/**
 * The real composition root without the web app, for module tests that drive the ports and
 * services directly (the archiver, the notifier): PGlite (a copy of the run's migrated template)
 * and the filesystem under a temp folder. Jobs are put in place through the JobStore and
 * ObjectStore ports, as the annotator would leave them. The web harness builds on it.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { type Container, buildContainer } from "../../src/container.ts";
import { openTestPglite } from "../../src/db/test-database.ts";
import type { JobSummary } from "../../src/ports/job-store.ts";
import { createLogger } from "../../src/shared/logger.ts";
import { jobSummary } from "./job-summary.ts";

export const ORIGIN = "http://gas.test";

export interface ContainerHarness {
  container: Container;
  /** A COMPLETED job owned by `userId` with result files in place. */
  completedJob(userId: string, opts?: { fileName?: string; rows?: object[]; summary?: Partial<JobSummary> }): Promise<string>;
  close(): Promise<void>;
}

export const demoRows = [
  {
    line: 10,
    chrom: "chrMT",
    pos: 150,
    id: "rs62581312",
    ref: "C",
    alt: "T",
    consequence: "missense_variant",
    impact: "MODERATE",
    gene: "MT-ND1",
    geneId: "ENSG00000198888",
    featureType: "transcript",
    feature: "ENST00000361390",
    biotype: "protein_coding",
    rank: "1/1",
    hgvsC: "c.43C>T",
    hgvsP: "p.Leu15Phe",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "",
    known: true,
    af: "0.01",
    messages: "",
  },
  {
    line: 11,
    chrom: "chrMT",
    pos: 73,
    id: ".",
    ref: "A",
    alt: "G",
    consequence: "upstream_gene_variant",
    impact: "MODIFIER",
    gene: "MT-ND1",
    geneId: "ENSG00000198888",
    featureType: "transcript",
    feature: "ENST00000361390",
    biotype: "protein_coding",
    rank: "",
    hgvsC: "c.-3234A>G",
    hgvsP: "",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "3234",
    known: false,
    af: "",
    messages: "",
  },
  {
    line: 12,
    chrom: "chrMT",
    pos: 9000,
    id: ".",
    ref: "G",
    alt: "A",
    consequence: "stop_gained&splice_region_variant",
    impact: "HIGH",
    gene: "MT-ATP6",
    geneId: "ENSG00000198899",
    featureType: "transcript",
    feature: "ENST00000361899",
    biotype: "protein_coding",
    rank: "1/1",
    hgvsC: "c.474G>A",
    hgvsP: "p.Trp158*",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "",
    known: false,
    af: "",
    messages: "",
  },
  {
    line: 13,
    chrom: "chr2",
    pos: 500,
    id: "rs1",
    ref: "T",
    alt: "C",
    consequence: "synonymous_variant",
    impact: "LOW",
    gene: "ABC1",
    geneId: "ENSG1",
    featureType: "transcript",
    feature: "ENST1",
    biotype: "protein_coding",
    rank: "2/5",
    hgvsC: "c.9T>C",
    hgvsP: "p.Ser3=",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "",
    known: true,
    af: "0.3",
    messages: "",
  },
];

/** Start the harness. `env` adds to the test environment (e.g. ARCHIVE_AFTER_SECONDS). */
export async function startContainerHarness(env: Record<string, string> = {}): Promise<ContainerHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), "gas-web-"));
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    PUBLIC_URL: ORIGIN,
    SESSION_SECRET: "web-harness-session-secret-0123456789",
    UPLOAD_SIGNING_SECRET: "web-harness-upload-secret-0123456789",
    LOG_LEVEL: "error",
    ...env,
  });
  const container = await buildContainer(config, createLogger("error", {}), { database: await openTestPglite() });
  return {
    container,
    async completedJob(userId, opts = {}) {
      const id = randomUUID();
      const fileName = opts.fileName ?? "test.vcf";
      const inputKey = `${userId}/${id}~${fileName}`;
      const { inputs, results, jobStore } = container.ports;
      await inputs.put(inputKey, "##fileformat=VCFv4.2\n");
      await jobStore.create({ id, userId, inputFileName: fileName, inputKey, submitTime: new Date() });
      const claim = await jobStore.claim(id, "t", 60);
      if (claim.outcome !== "claimed") throw new Error("claim failed");
      const base = `${userId}/${id}~test`;
      const rows = opts.rows ?? demoRows;
      await results.put(`${base}.annot.vcf`, "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
      await results.put(`${base}.vcf.count.log`, `Total: ${rows.length}\nInput: ${fileName}\n`);
      await results.put(
        `${base}.annot.json`,
        // Laid out as the engine wrote it (output-sinks.ts: one row per line), which the one-time
        // conversion to a results store reads line by line.
        `{"format":"gas-annotations/1","reference":"demo (GRCh38)","rows":[\n${rows.map((r) => JSON.stringify(r)).join(",\n")}\n],"summary":{}}\n`,
      );
      const summary = jobSummary({
        records: rows.length,
        alleles: rows.length,
        known: 1,
        novel: 2,
        byConsequence: { missense_variant: 1, upstream_gene_variant: 1, stop_gained: 1 },
        byImpact: { HIGH: 1, MODERATE: 1, MODIFIER: 1 },
        seconds: 0.2,
        ...opts.summary,
      });
      await jobStore.complete(id, "t", {
        resultKey: `${base}.annot.vcf`,
        logKey: `${base}.vcf.count.log`,
        rowsKey: `${base}.annot.json`,
        summary,
      });
      return id;
    },
    async close() {
      await container.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
