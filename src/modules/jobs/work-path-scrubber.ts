/**
 * The annotator names its input by path in warnings, the count log and the rows file, and the
 * worker's input sits in a work folder (DATA_DIR/work/<job>-<claim>/<file name>). Users must see
 * their file's name, never the server's paths: everything the worker stores or shows is passed
 * through a scrubber that removes the work folder and the slash after it, in strings and in byte
 * streams of any size (a match may straddle two chunks).
 */

export interface WorkPathScrubber {
  text(value: string): string;
  stream(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array>;
}

const SLASH = 0x2f;

export function workPathScrubber(work: string): WorkPathScrubber {
  // As written, and as written inside a JSON string (the rows file).
  const patterns = [...new Set([work, JSON.stringify(work).slice(1, -1)])].map((p) => Buffer.from(p));
  const longest = Math.max(...patterns.map((p) => p.length));

  /**
   * Removes every match (and a slash right after it) from `bytes`. Unless `final`, a tail that
   * could still become a match, or a match whose next byte is unknown, is returned as `rest`.
   */
  function scan(bytes: Buffer, final: boolean): { kept: Buffer[]; rest: Buffer } {
    const kept: Buffer[] = [];
    let from = 0;
    for (;;) {
      let at = -1;
      let length = 0;
      for (const p of patterns) {
        const i = bytes.indexOf(p, from);
        if (i >= 0 && (at < 0 || i < at)) [at, length] = [i, p.length];
      }
      if (at < 0) break;
      let end = at + length;
      if (end >= bytes.length && !final) {
        kept.push(bytes.subarray(from, at));
        return { kept, rest: bytes.subarray(at) };
      }
      if (bytes[end] === SLASH) end++;
      kept.push(bytes.subarray(from, at));
      from = end;
    }
    const safe = final ? bytes.length : Math.max(from, bytes.length - (longest - 1));
    kept.push(bytes.subarray(from, safe));
    return { kept, rest: bytes.subarray(safe) };
  }

  return {
    text: (value) => Buffer.concat(scan(Buffer.from(value), true).kept).toString(),
    stream(source) {
      let carry = Buffer.alloc(0);
      return source.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          // One event-loop turn per chunk: file reads resolve without one, and the rows file of a
          // large job (200 MB for a 3.5 MB input) held HTTP for 400 ms in `--role=all` (issue 13).
          async transform(chunk, out) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            const bytes = carry.length ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
            const { kept, rest } = scan(bytes, false);
            const ready = Buffer.concat(kept);
            if (ready.length) out.enqueue(ready);
            carry = Buffer.from(rest); // a copy: the chunk's memory may be reused
          },
          flush(out) {
            const ready = Buffer.concat(scan(carry, true).kept);
            if (ready.length) out.enqueue(ready);
          },
        }),
      );
    },
  };
}
