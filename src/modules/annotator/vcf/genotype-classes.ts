/**
 * Per-sample genotype classes of one ALT, for the results store's sample filter (het / hom-alt /
 * any non-ref of THIS ALT of a multi-allelic record) and its per-sample counts.
 *
 * A class is one character per sample, so a record's classes are one short string (the store keeps
 * it as is: one byte per sample and variant, against the ≥ 4 bytes per sample of the input's own
 * GT column, so it never grows the store beyond the input's size):
 * `0` no copy of this ALT (REF, another ALT, or a partly missing call without it), `1` one copy
 * among others (heterozygous; `1/2` is heterozygous for both ALTs), `2` every copy is this ALT
 * (homozygous, and haploid calls such as chrX in males), `.` missing (`./.`, `.`, no GT).
 */

/** The GT of each sample (text before the first `:`), or null when FORMAT does not start with GT (VCF requires GT first). */
export function genotypeCalls(rest: string): string[] | null {
  // rest = FORMAT \t sample1 \t sample2 …
  const tab = rest.indexOf("\t");
  const format = tab < 0 ? rest : rest.slice(0, tab);
  if (!(format === "GT" || format.startsWith("GT:"))) return null;
  if (tab < 0) return [];
  const calls = rest.slice(tab + 1).split("\t");
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const colon = c.indexOf(":");
    if (colon >= 0) calls[i] = c.slice(0, colon);
  }
  return calls;
}

/** One class character per sample for ALT number `alt` (1-based); every sample missing when `calls` is null. */
export function genotypeClasses(calls: readonly string[] | null, alt: number, samples = calls?.length ?? 0): string {
  if (calls === null) return ".".repeat(samples);
  let out = "";
  for (const call of calls) out += classOf(call, alt);
  return out;
}

function classOf(call: string, alt: number): string {
  // The commonest calls, without splitting.
  if (call.length === 3 && (call[1] === "|" || call[1] === "/")) {
    const a = call.charCodeAt(0) - 48;
    const b = call.charCodeAt(2) - 48;
    if (a >= 0 && a <= 9 && b >= 0 && b <= 9) return a === alt ? (b === alt ? "2" : "1") : b === alt ? "1" : "0";
  }
  if (call === "" || call === ".") return ".";
  let copies = 0;
  let missing = 0;
  let ploidy = 0;
  const want = String(alt);
  for (const a of call.split(/[/|]/)) {
    ploidy++;
    if (a === ".") missing++;
    else if (a === want) copies++;
  }
  if (copies === 0) return missing === ploidy ? "." : "0";
  return copies === ploidy ? "2" : "1";
}
