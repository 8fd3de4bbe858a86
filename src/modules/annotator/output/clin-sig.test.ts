import { describe, expect, test } from "bun:test";
import { CLIN_SIG_CLASSES, clinSigMask, clinSigRank } from "./clin-sig.ts";

const classes = (raw: string) => CLIN_SIG_CLASSES.filter((_, i) => clinSigMask(raw) & (1 << i));

describe("ClinVar significance classes", () => {
  test("every assertion of a record counts; spellings of ClinVar and Ensembl agree", () => {
    expect(classes("not_provided|pathogenic")).toEqual(["pathogenic", "other"]);
    expect(classes("Pathogenic/Likely_pathogenic")).toEqual(["pathogenic", "likely_pathogenic"]);
    expect(classes("Likely pathogenic")).toEqual(["likely_pathogenic"]);
    expect(classes("uncertain_significance|not_provided|pathogenic")).toEqual(["pathogenic", "uncertain_significance", "other"]);
    expect(classes("Conflicting_interpretations_of_pathogenicity")).toEqual(["conflicting"]);
    expect(classes("drug_response,risk_factor")).toEqual(["drug_response", "risk_factor"]);
    expect(classes("protective")).toEqual(["other"]);
    expect(clinSigMask("")).toBe(0);
    expect(clinSigMask(".")).toBe(0);
  });

  test("the rank sorts the most significant class first, none last", () => {
    expect(clinSigRank(clinSigMask("benign|pathogenic"))).toBe(0);
    expect(clinSigRank(clinSigMask("likely_benign"))).toBe(CLIN_SIG_CLASSES.indexOf("likely_benign"));
    expect(clinSigRank(0)).toBe(CLIN_SIG_CLASSES.length);
  });
});
