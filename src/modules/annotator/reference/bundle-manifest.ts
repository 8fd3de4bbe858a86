/**
 * `manifest.json` of a reference bundle: which files make up the reference, relative to the
 * bundle folder. Validated with zod so that a typo names the field instead of failing later.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { z } from "zod";

const RelativePath = z.string().min(1, "must be a non-empty path");

export const BundleManifestSchema = z.object({
  name: z.string().min(1),
  build: z.string().min(1),
  /** Genome FASTA: plain (with or without .fai) or BGZF with .fai/.gzi. */
  fasta: RelativePath,
  /** Gene models: GFF3 or GTF, plain/gzip/BGZF. */
  genes: RelativePath,
  /** Known variants VCF (bgzip + tabix), or null. */
  known: RelativePath.nullable().optional(),
  /** Where `gas refdata prepare` writes the compiled gene models; default: genes + `.gas-index.json.gz`. */
  index: RelativePath.optional(),
  /** Canonical FASTA name → synonyms used by inputs and gene models. */
  contigAliases: z.record(z.string(), z.array(z.string())).optional(),
});

export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** The manifest with every path made absolute. */
export interface ResolvedManifest {
  dir: string;
  manifestPath: string;
  name: string;
  build: string;
  fasta: string;
  genes: string;
  known: string | null;
  index: string;
  contigAliases: Record<string, string[]>;
}

/**
 * Reads and validates `<dir>/manifest.json`.
 * @throws Error naming the manifest file and each invalid field.
 */
export async function readManifest(dir: string): Promise<ResolvedManifest> {
  const manifestPath = join(dir, "manifest.json");
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch {
    throw new Error(`${manifestPath}: reference bundle manifest not found (is ${dir} a bundle folder?)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${manifestPath}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = BundleManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `field "${i.path.join(".") || "(root)"}": ${i.message}`);
    throw new Error(`${manifestPath}: invalid manifest: ${problems.join("; ")}`);
  }
  const m = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  return {
    dir,
    manifestPath,
    name: m.name,
    build: m.build,
    fasta: abs(m.fasta),
    genes: abs(m.genes),
    known: m.known ? abs(m.known) : null,
    index: abs(m.index ?? `${m.genes}.gas-index.json.gz`),
    contigAliases: m.contigAliases ?? {},
  };
}
