/**
 * The original's object key scheme: inputs `<user>/<job uuid>~<file name>`, results
 * `<user>/<job uuid>~<name>.annot.vcf`, `<user>/<job uuid>~<name>.vcf.count.log` and (new, for the
 * results browser) `<user>/<job uuid>~<name>.annot.json` and the results store
 * `<user>/<job uuid>~<name>.results.sqlite` (src/modules/results/results-store.ts reads it).
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

/** Result keys for a job. */
export function resultKeys(userId: string, jobId: string, inputFileName: string) {
  const base = `${userId}/${jobId}~${fileStem(inputFileName)}`;
  return { vcf: `${base}.annot.vcf`, log: `${base}.vcf.count.log`, json: `${base}.annot.json`, store: `${base}.results.sqlite` };
}
