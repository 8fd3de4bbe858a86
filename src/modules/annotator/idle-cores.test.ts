import { describe, expect, test } from "bun:test";
import { idleCores } from "./cli.ts";

describe("the default thread count: the idle cores", () => {
  test("an idle machine gets every core", () => {
    expect(idleCores(2, 0)).toBe(2);
    expect(idleCores(8, 0.4)).toBe(8);
  });
  test("a busy machine gets what is left, and never less than one thread", () => {
    expect(idleCores(8, 3.2)).toBe(5);
    expect(idleCores(2, 1.6)).toBe(1);
    expect(idleCores(2, 14)).toBe(1);
  });
});
