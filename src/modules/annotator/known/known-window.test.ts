import { describe, expect, test } from "bun:test";
import type { GenomeWindow } from "../model.ts";
import { KnownWindow, snvKey } from "./known-window.ts";

// A genome of A's but for the bases these records name (their REFs), 1-based.
const genome: GenomeWindow = {
  contig: "21",
  slice: (start, end) => {
    let s = "";
    for (let p = start; p <= end; p++) s += p === 100 ? "C" : p === 101 ? "G" : "A";
    return s;
  },
};

function windowOf(lines: string[]): KnownWindow {
  const w = new KnownWindow();
  for (const line of lines) {
    const f = line.split("\t");
    w.add(line, Number(f[1]), f[3]!.length);
  }
  return w;
}

const ids = (w: KnownWindow, left: number, right: number, query: number) =>
  w.candidates(left, right, query, genome, "21", []).map((p) => p.ids[0]);

describe("KnownWindow: SNV records are compared as integers and parsed only on a match", () => {
  const w = windowOf([
    "21\t100\trs1\tC\tT\t.\t.\t.",
    "21\t100\trs2\tC\tG,T\t.\t.\t.",
    "21\t100\trs3\tCG\tC\t.\t.\t.", // a deletion of G at 101
    "21\t101\trs4\tG\tc\t.\t.\t.", // lower case: parsed the general way
  ]);

  test("an SNV query gets the SNV records with its REF and ALT (any ALT of a multi-allelic one), and the others", () => {
    // rs3 is not an SNV record: a candidate whose normalized ALTs the caller compares.
    expect(ids(w, 100, 100, snvKey("C", "T"))).toEqual(["rs1", "rs2", "rs3"]);
    expect(ids(w, 100, 100, snvKey("C", "G"))).toEqual(["rs2", "rs3"]);
    expect(ids(w, 100, 100, snvKey("C", "A"))).toEqual(["rs3"]);
    expect(ids(w, 101, 101, snvKey("G", "C"))).toEqual(["rs3", "rs4"]);
  });

  test("an indel query never gets an SNV record, but every other record near it", () => {
    expect(ids(w, 101, 101, 0)).toEqual(["rs3", "rs4"]);
  });

  test("snvKey: 0 for what is not an SNV of upper-case bases", () => {
    expect(snvKey("C", "C")).toBe(0);
    expect(snvKey("c", "T")).toBe(0);
    expect(snvKey("C", "*")).toBe(0);
    expect(snvKey("C", "T")).not.toBe(0);
  });
});
