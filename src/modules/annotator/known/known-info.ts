/**
 * Which INFO fields of a known-variants VCF are copied into the output, and under what names.
 *
 * Choice (documented for users in the ##INFO descriptions):
 * - `KNOWN_AF`: global ALT allele frequency. Taken from the known file's own `AF` (Number=A) when
 *   it declares one; otherwise derived from dbSNP/VEP-style `MA`/`MAF` (1000 Genomes global minor
 *   allele and its frequency): AF = MAF when MA is this ALT, AF = 1 − MAF when the site is
 *   biallelic and MA is the REF; no value otherwise (the minor allele is another ALT).
 * - `KNOWN_<X>` for every Number=A frequency field `X` (ID ending in `AF`: 1000G populations,
 *   ESP, gnomAD exomes, ...), the value for the matched ALT. `opts.fields` replaces the list.
 * - `KNOWN_CLIN_SIG`: ClinVar significance of the matching record, as written (`|`-separated).
 * All are declared Number=A in the output, since the engine matches each ALT on its own; an ALT
 * without a value gets `.`.
 */

/** One INFO declaration of the known-variants header. */
export interface InfoDeclaration {
  id: string;
  number: string;
  type: string;
  description: string;
}

/** What to extract from a matching record, computed once from the header. */
export interface KnownInfoPlan {
  /** Fields copied per ALT: source ID → output ID; `split` takes the ALT's value of a Number=A list. */
  perAlt: { source: string; output: string; split: boolean }[];
  /** Whether the file declares a Number=A `AF`. */
  hasAf: boolean;
  hasMaf: boolean;
  hasClinSig: boolean;
  headerLines: string[];
}

/** Parses `##INFO=<...>` lines (quoted descriptions may contain commas and escaped quotes). */
export function parseInfoDeclarations(headerText: string): InfoDeclaration[] {
  const out: InfoDeclaration[] = [];
  for (const line of headerText.split("\n")) {
    if (!line.startsWith("##INFO=<")) continue;
    const body = line.slice("##INFO=<".length, line.lastIndexOf(">"));
    const fields = new Map<string, string>();
    let i = 0;
    while (i < body.length) {
      const eq = body.indexOf("=", i);
      if (eq < 0) break;
      const key = body.slice(i, eq);
      let value: string;
      if (body[eq + 1] === '"') {
        let j = eq + 2;
        let v = "";
        while (j < body.length && body[j] !== '"') {
          if (body[j] === "\\" && j + 1 < body.length) j++;
          v += body[j];
          j++;
        }
        value = v;
        i = body.indexOf(",", j) < 0 ? body.length : body.indexOf(",", j) + 1;
      } else {
        const comma = body.indexOf(",", eq);
        value = body.slice(eq + 1, comma < 0 ? body.length : comma);
        i = comma < 0 ? body.length : comma + 1;
      }
      fields.set(key, value);
    }
    const id = fields.get("ID");
    if (id)
      out.push({
        id,
        number: fields.get("Number") ?? ".",
        type: fields.get("Type") ?? "String",
        description: fields.get("Description") ?? "",
      });
  }
  return out;
}

/** Decides the output fields from the known file's INFO declarations. */
export function planKnownInfo(decls: InfoDeclaration[], sourceName: string, fields?: readonly string[]): KnownInfoPlan {
  const byId = new Map(decls.map((d) => [d.id, d]));
  const hasAf = byId.get("AF")?.number === "A";
  const hasMaf = byId.has("MA") && byId.has("MAF");
  const hasClinSig = byId.has("CLIN_SIG");
  // Explicitly requested fields may be undeclared (then treated as Number=A strings) or declared
  // with another Number (then copied whole, commas turned into |, for every matching ALT).
  const wanted: InfoDeclaration[] = fields
    ? fields.filter((f) => f !== "AF").map((f) => byId.get(f) ?? { id: f, number: "A", type: "String", description: "" })
    : decls.filter((d) => d.number === "A" && d.id !== "AF" && d.id.endsWith("AF"));
  const perAlt = wanted.map((d) => ({ source: d.id, output: `KNOWN_${d.id}`, split: d.number === "A" }));
  const from = `from known variants ${sourceName}`;
  const headerLines: string[] = [];
  if (hasAf || hasMaf) {
    const how = hasAf ? "its AF" : "MAF when MA is this ALT, 1-MAF when MA is the REF of a biallelic site";
    headerLines.push(info("KNOWN_AF", "Float", `Global allele frequency of this ALT in the matching known variant (${from}: ${how})`));
  }
  for (const { source, output, split } of perAlt) {
    const d = byId.get(source);
    const type = split ? (d?.type ?? "String") : "String";
    headerLines.push(info(output, type, `${d?.description || source} (${from}, field ${source})`));
  }
  if (hasClinSig) {
    headerLines.push(
      info("KNOWN_CLIN_SIG", "String", `Clinical significance of the matching known variant, |-separated (${from}, field CLIN_SIG)`),
    );
  }
  return { perAlt, hasAf, hasMaf, hasClinSig, headerLines };
}

function info(id: string, type: string, description: string): string {
  const safe = description.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  return `##INFO=<ID=${id},Number=A,Type=${type},Description="${safe}">`;
}

/**
 * Builds the extractor for one known file: a single pass over a record's INFO column that keeps
 * only the fields the plan needs (INFO columns of dbSNP-like files carry dozens of fields, and
 * this runs for every matching record, so no Map of all fields is built).
 */
export function compileKnownInfoExtractor(
  plan: KnownInfoPlan,
): (
  info: string,
  altIndex: number,
  rawRef: string,
  rawAlts: readonly string[],
  trimmed: { ref: string; alt: string },
) => Record<string, string> {
  const slotOf = new Map<string, number>();
  const SLOT_AF = 0;
  const SLOT_MA = 1;
  const SLOT_MAF = 2;
  const SLOT_CLIN = 3;
  slotOf.set("AF", SLOT_AF);
  slotOf.set("MA", SLOT_MA);
  slotOf.set("MAF", SLOT_MAF);
  slotOf.set("CLIN_SIG", SLOT_CLIN);
  for (const [k, f] of plan.perAlt.entries()) slotOf.set(f.source, 4 + k);
  const nSlots = 4 + plan.perAlt.length;
  return (info, altIndex, rawRef, rawAlts, trimmed) => {
    const values: (string | undefined)[] = new Array(nSlots);
    const len = info.length;
    if (!(len === 1 && info === ".")) {
      let i = 0;
      while (i < len) {
        let semi = info.indexOf(";", i);
        if (semi < 0) semi = len;
        const eq = info.indexOf("=", i);
        if (eq >= 0 && eq < semi) {
          const slot = slotOf.get(info.slice(i, eq));
          if (slot !== undefined) values[slot] = info.slice(eq + 1, semi);
        }
        i = semi + 1;
      }
    }
    const out: Record<string, string> = {};
    const af = knownAf(plan, values[SLOT_AF], values[SLOT_MA], values[SLOT_MAF], altIndex, rawRef, rawAlts, trimmed);
    if (af !== null) out.KNOWN_AF = af;
    for (let k = 0; k < plan.perAlt.length; k++) {
      const f = plan.perAlt[k]!;
      const raw = values[4 + k];
      const v = f.split ? nthValue(raw, altIndex) : raw === undefined || raw === "" || raw === "." ? null : raw.replace(/,/g, "|");
      if (v !== null) out[f.output] = v;
    }
    const clin = values[SLOT_CLIN];
    // Output values are per ALT, so a comma inside would shift the other ALTs' values.
    if (plan.hasClinSig && clin !== undefined && clin !== "" && clin !== ".") out.KNOWN_CLIN_SIG = clin.replace(/,/g, "|");
    return out;
  };
}

function knownAf(
  plan: KnownInfoPlan,
  afValue: string | undefined,
  ma: string | undefined,
  maf: string | undefined,
  altIndex: number,
  rawRef: string,
  rawAlts: readonly string[],
  trimmed: { ref: string; alt: string },
): string | null {
  if (plan.hasAf) return nthValue(afValue, altIndex);
  if (!plan.hasMaf || !ma || !maf || maf === ".") return null;
  const alt = rawAlts[altIndex]!;
  if (ma === alt || ma === (trimmed.alt === "" ? "-" : trimmed.alt)) return maf;
  if (rawAlts.length === 1 && (ma === rawRef || ma === (trimmed.ref === "" ? "-" : trimmed.ref))) {
    const f = Number(maf);
    return Number.isFinite(f) ? String(Number((1 - f).toPrecision(6))) : null;
  }
  return null;
}

function nthValue(value: string | undefined, index: number): string | null {
  if (value === undefined || value === "") return null;
  let start = 0;
  for (let i = 0; i < index; i++) {
    const c = value.indexOf(",", start);
    if (c < 0) return null;
    start = c + 1;
  }
  const end = value.indexOf(",", start);
  const v = end < 0 ? value.slice(start) : value.slice(start, end);
  return v === "" || v === "." ? null : v;
}
