import { describe, expect, test } from "bun:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { inflateGzipMember, listGzipMembers, writeGzipMembers } from "./gzip-members.ts";

describe("gzip members", () => {
  const lines = ['{"header":true}\n', `${JSON.stringify({ big: "ACGT".repeat(50_000) })}\n`, "[]\n"];

  test("an ordinary gzip file to any reader; each member readable alone", () => {
    const bytes = writeGzipMembers(lines);
    expect(gunzipSync(bytes).toString("utf8")).toBe(lines.join(""));
    const members = listGzipMembers(bytes)!;
    expect(members.length).toBe(3);
    expect(members[0]!.offset).toBe(0);
    expect(members[2]!.offset + members[2]!.size).toBe(bytes.length);
    expect(members.map((m) => new TextDecoder().decode(inflateGzipMember(bytes, m)))).toEqual(lines);
  });

  test("a plain gzip file, a cut file and a damaged member are told apart", () => {
    expect(listGzipMembers(new Uint8Array(gzipSync(lines.join(""))))).toBeNull();
    const bytes = writeGzipMembers(lines);
    expect(listGzipMembers(bytes.subarray(0, bytes.length - 3))).toBeNull();
    const members = listGzipMembers(bytes)!;
    const damaged = bytes.slice();
    damaged[members[1]!.offset + members[1]!.size - 6]! ^= 0xff; // inside the CRC32
    expect(() => inflateGzipMember(damaged, members[1]!)).toThrow(/damaged/);
  });
});
