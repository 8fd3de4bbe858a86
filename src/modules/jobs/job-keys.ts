/**
 * The original's object key scheme: inputs `<user>/<job uuid>~<file name>`, results
 * `<user>/<job uuid>~<name>.<suffix>`. A job stores (issue 12) the annotated VCF as BGZF,
 * `<name>.annot.vcf.gz` (the job's resultKey), its tabix index `<name>.annot.vcf.gz.tbi`, the count
 * log `<name>.vcf.count.log` and the results store `<name>.results.sqlite` (its rowsKey;
 * src/modules/results/ reads it). Jobs from before kept a plain `<name>.annot.vcf` and the rows as
 * `<name>.annot.json`; their keys stay on their records and keep working.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lowercase RFC 4122 UUID, the only job ids we issue. */
export const isJobId = (s: string) => UUID.test(s);

/** Split an input key into its parts; null when it does not follow the scheme. */
export function parseInputKey(key: string): { userId: string; jobId: string; fileName: string } | null {
  const slash = key.indexOf("/");
  if (slash <= 0) return null;
  const rest = key.slice(slash + 1);
  const tilde = rest.indexOf("~");
  if (tilde < 0) return null;
  const jobId = rest.slice(0, tilde);
  const fileName = rest.slice(tilde + 1);
  if (!isJobId(jobId) || !fileName || fileName.includes("/")) return null;
  return { userId: key.slice(0, slash), jobId, fileName };
}

/** `test.vcf` → `test`; `x.vcf.gz` → `x` (the original named results after the input's stem). */
export const fileStem = (fileName: string) => fileName.replace(/(\.vcf)?(\.b?gz)?$/i, "") || fileName;

/** Result keys for a job: what the annotator writes now, and (`vcf`, `json`) what older jobs hold. */
export function resultKeys(userId: string, jobId: string, inputFileName: string) {
  const base = `${userId}/${jobId}~${fileStem(inputFileName)}`;
  return {
    vcfGz: `${base}.annot.vcf.gz`,
    tbi: `${base}.annot.vcf.gz.tbi`,
    log: `${base}.vcf.count.log`,
    store: `${base}.results.sqlite`,
    /** The job manifest (job-manifest.ts): not archived, so it stays readable. */
    manifest: `${base}.manifest.json`,
    /** Jobs before issue 12: the plain annotated VCF, and the rows as JSON. */
    vcf: `${base}.annot.vcf`,
    json: `${base}.annot.json`,
  };
}

/** True when a job's resultKey is a BGZF VCF (with its index at `<key>.tbi`), false for an old plain one. */
export const isBgzfResult = (resultKey: string) => resultKey.endsWith(".vcf.gz");

/** The tabix index stored beside a BGZF result. */
export const indexKeyOf = (resultKey: string) => `${resultKey}.tbi`;
