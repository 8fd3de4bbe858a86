import { describe, expect, test } from "bun:test";
import { genotypeCalls, genotypeClasses } from "./genotype-classes.ts";

describe("genotype classes of one ALT", () => {
  test("GT is read before the first colon; a FORMAT without GT first gives no calls", () => {
    expect(genotypeCalls("GT:DP\t0/1:12\t1|1:3\t./.:0")).toEqual(["0/1", "1|1", "./."]);
    expect(genotypeCalls("GT")).toEqual([]);
    expect(genotypeCalls("DP:GT\t3:0/1")).toBeNull();
    expect(genotypeClasses(null, 1, 2)).toBe("..");
  });

  test("het, hom-alt and missing for THIS ALT of a multi-allelic record; haploid calls", () => {
    const calls = ["0/1", "1/2", "2/2", "0|0", "./.", "1", "0", ".", "0/.", "1/1/2", "10/10"];
    expect(genotypeClasses(calls, 1)).toBe("1100.20.010");
    expect(genotypeClasses(calls, 2)).toBe("0120.00.010");
    expect(genotypeClasses(["10/10", "3/10"], 10)).toBe("21");
  });
});
