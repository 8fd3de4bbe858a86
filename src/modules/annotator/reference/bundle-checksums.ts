/**
 * The SHA-256 of each file of a reference bundle (its manifest, FASTA with indexes, gene models,
 * known variants with index), for the job manifest: a result names exactly the reference it was
 * made from. A full GRCh38 bundle with dbSNP holds tens of GB, a minute or more of hashing, so a
 * file's digest is kept beside it (`<file>.sha256`, with the size and mtime it was taken at) and
 * taken again only when the file changes; a read-only bundle is hashed once per process instead.
 */
import { stat } from "node:fs/promises";
import { basename, relative } from "node:path";
import { readManifest } from "./bundle-manifest.ts";

export interface BundleFileChecksum {
  role: "manifest" | "fasta" | "genes" | "known";
  /** The path inside the bundle folder (never an absolute server path). */
  file: string;
  bytes: number;
  sha256: string;
}

export interface BundleChecksums {
  name: string;
  build: string;
  files: BundleFileChecksum[];
}

async function sha256Of(path: string): Promise<{ bytes: number; sha256: string }> {
  const info = await stat(path);
  const sidecar = Bun.file(`${path}.sha256`);
  const stamp = `${info.size} ${info.mtimeMs}`;
  const cached = (await sidecar.exists()) ? (await sidecar.text()).trim().split("\n") : [];
  if (cached.length === 2 && cached[1] === stamp && /^[0-9a-f]{64}$/.test(cached[0] ?? "")) return { bytes: info.size, sha256: cached[0]! };
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  const sha256 = hasher.digest("hex");
  await Bun.write(sidecar, `${sha256}\n${stamp}\n`).catch(() => undefined); // best effort: a read-only bundle
  return { bytes: info.size, sha256 };
}

/** Checksums of the bundle in `dir` (its manifest.json and every file it names that exists). */
export async function bundleChecksums(dir: string): Promise<BundleChecksums> {
  const m = await readManifest(dir);
  const named = (role: BundleFileChecksum["role"], path: string) => ({ role, path });
  const candidates = [
    named("manifest", m.manifestPath),
    named("fasta", m.fasta),
    named("fasta", `${m.fasta}.fai`),
    named("fasta", `${m.fasta}.gzi`),
    named("genes", m.genes),
    ...(m.known ? [named("known", m.known), named("known", `${m.known}.tbi`), named("known", `${m.known}.csi`)] : []),
  ];
  const files: BundleFileChecksum[] = [];
  for (const c of candidates) {
    if (!(await Bun.file(c.path).exists())) continue;
    const rel = relative(dir, c.path);
    files.push({ role: c.role, file: rel.startsWith("..") ? basename(c.path) : rel, ...(await sha256Of(c.path)) });
  }
  return { name: m.name, build: m.build, files };
}
