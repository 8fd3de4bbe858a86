/**
 * Symbolic structural-variant ALTs as VEP reads them (ensembl-vep Parser/VCF.pm
 * create_StructuralVariationFeatures and Parser.pm get_SO_term, ensembl-variation
 * Utils/Config.pm %SO_TERMS): the ALT names the class, the span is POS + 1 (POS is the padding
 * base) to INFO/END, or to POS + |SVLEN| without END (VEP's t/Parser_VCF.t: `T <DUP> SVLEN=11`
 * at 25587758 is 25587759–25587769). Insertions are a point between POS and POS + 1 whatever
 * SVLEN says (SVLEN is the inserted length). A deletion, duplication, inversion or CNV with
 * neither END nor SVLEN is skipped, as VEP skips "deletion looks incomplete".
 */
import type { Allele, StructuralVariant } from "../model.ts";
import type { VcfRecord } from "./vcf-reader.ts";

const MOBILE_ELEMENTS = ["ALU", "HERV", "LINE1", "SVA"];

/** VEP's SO class of a symbolic ALT, or null when VEP does not support it (`<*>`, `<NON_REF>`, `<CPX>`, …). */
export function svClassOf(alt: string): string | null {
  const inner = alt.slice(1, -1).toUpperCase();
  const me = /^(INS|DEL):ME(?::([A-Z0-9]+))?/.exec(inner);
  if (me) {
    let element = me[2] === "L1" ? "LINE1" : me[2];
    if (element === undefined || !MOBILE_ELEMENTS.includes(element)) element = "ME";
    const kind = me[1] === "INS" ? "insertion" : "deletion";
    return element === "ME" ? `mobile_element_${kind}` : `${element === "ALU" ? "Alu" : element}_${kind}`;
  }
  if (inner.startsWith("DUP:TANDEM")) return "tandem_duplication";
  if (inner.startsWith("CNV:TR")) return "tandem_repeat";
  const cn = /^CN=?(\d+)$/.exec(inner);
  if (cn) return cn[1] === "0" ? "deletion" : cn[1] === "2" ? "duplication" : "copy_number_variation";
  switch (inner.split(":")[0]) {
    case "DEL":
      return "deletion";
    case "INS":
      return "insertion";
    case "DUP":
      return "duplication";
    case "INV":
      return "inversion";
    case "CNV":
      return "copy_number_variation";
    default:
      return null;
  }
}

/** VEP's class predicates (VariationEffect.pm deletion / copy_number_loss, copy_number_gain, insertion) for a class. */
export function svOfClass(soClass: string): StructuralVariant {
  return {
    soClass,
    loss: /deletion|loss/i.test(soClass),
    gain: /duplication|tandem|gain/i.test(soClass),
    insertion: /insertion/i.test(soClass),
  };
}

/** An INFO value (`END`, `SVLEN`) of the record, or null. */
function infoValue(info: string, key: string): string | null {
  for (const field of info.split(";")) {
    const eq = field.indexOf("=");
    if (eq === key.length && field.startsWith(key)) return field.slice(eq + 1);
  }
  return null;
}

/**
 * The Allele of symbolic ALT number `altIndex` (0-based) of `rec`, or the reason it cannot be
 * annotated. Only called for ALTs starting with `<`.
 */
export function structuralAllele(rec: VcfRecord, contig: string, alt: string, altIndex: number): Allele | string {
  if (!alt.endsWith(">")) return `symbolic allele ${alt} is malformed`;
  const soClass = svClassOf(alt);
  if (soClass === null || soClass === "tandem_repeat") return `symbolic allele ${alt} is not a supported structural variant type`;
  const sv = svOfClass(soClass);
  const start = rec.pos + 1;
  if (sv.insertion) return { contig, start, end: rec.pos, ref: "", alt: "", vcfAlt: alt, sv };
  let end = Number.NaN;
  const endText = infoValue(rec.info, "END");
  if (endText !== null) end = Number(endText);
  else {
    const lens = infoValue(rec.info, "SVLEN")?.split(",");
    const len = lens === undefined ? Number.NaN : Number(lens[Math.min(altIndex, lens.length - 1)]);
    if (Number.isFinite(len)) end = rec.pos + Math.abs(len);
  }
  if (!Number.isInteger(end)) return `structural variant ${alt} has no END or SVLEN`;
  if (end < start) return `structural variant ${alt} ends (END=${end}) before it starts (${start})`;
  return { contig, start, end, ref: "", alt: "", vcfAlt: alt, sv };
}
