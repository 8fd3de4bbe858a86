import { describe, expect, test } from "bun:test";
import { workPathScrubber } from "./work-path-scrubber.ts";

const WORK = "/var/lib/gas/work/3f1c-claim";

/** Stream `text` in chunks of `size` bytes through the scrubber and collect the result. */
async function streamed(text: string, size: number) {
  const bytes = new TextEncoder().encode(text);
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size));
      c.close();
    },
  });
  return new Response(workPathScrubber(WORK).stream(source)).text();
}

describe("workPathScrubber", () => {
  const text = `Warnings: 2\n  ${WORK}/in.vcf: line 9: x\n  ${WORK}/in.vcf: line 10: y\n{"w":${JSON.stringify(`${WORK}/in.vcf`)}} ${WORK}`;
  const clean = `Warnings: 2\n  in.vcf: line 9: x\n  in.vcf: line 10: y\n{"w":"in.vcf"} `;

  test("strings lose the work folder, leaving the file's name", () => {
    expect(workPathScrubber(WORK).text(text)).toBe(clean);
  });

  test("streams give the same, whatever the chunk size (matches across chunk boundaries)", async () => {
    for (const size of [1, 2, 3, 7, 16, 29, 64, 1 << 16]) expect({ size, out: await streamed(text, size) }).toEqual({ size, out: clean });
    expect(await streamed("", 4)).toBe("");
    expect(await streamed("no paths here", 4)).toBe("no paths here");
  });
});
