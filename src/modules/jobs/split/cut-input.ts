/**
 * Cutting a VCF into chunks of whole data lines, each a VCF of its own: the input's header, then
 * `chunkLines` data lines (the last chunk the rest). The input may be plain, gzip or BGZF (one
 * streaming pass, decompressed as it is read); chunks are plain text. A chunk's line N is the
 * input's line N + n × chunkLines, which is how the merge moves line numbers back.
 *
 * The input is the user's, unchecked: it is read through the engine's own bounded source with the
 * engine's compression-ratio and line-length limits. Past either (a gzip bomb, a "line" of 10 GB of
 * NULs) the cutter gives up and returns no chunks, and the job is annotated whole, so the engine
 * names the problem with file and line. Before this, a header that never ended was held in memory:
 * the hostile corpus's gzip-bomb-zeros.vcf.gz grew a --role=all process to 20 GB (OOM-killed).
 */
import { join } from "node:path";
import type { FileSink } from "bun";
import { CompressedDataError } from "../../annotator/io/compressed-data-error.ts";
import { openSequentialSource } from "../../annotator/io/sequential-source.ts";
import { DEFAULT_MAX_LINE_BYTES, MAX_COMPRESSION_RATIO } from "../../annotator/vcf/vcf-reader.ts";

export interface CutInput {
  /** The chunk files, in input order ([] when the input has no #CHROM line: the engine says what is wrong). */
  files: string[];
  /** Data lines of the whole input, and its decompressed size. */
  records: number;
  plainBytes: number;
}

const NL = 10;

/**
 * A header this large is not cut (each chunk carries a copy, and it is held in memory): 64 MB is
 * hundreds of thousands of contig lines; the engine reads such a file whole.
 */
const MAX_HEADER_BYTES = 64 << 20;

/** Thrown inside the cutter when the input is past the engine's limits: caught, and no chunks. */
class NotCuttable extends Error {}

/**
 * Cut `input` into chunk files `<dir>/<n>/<name>` of `chunkLines` lines each (the file name is
 * the user's: the engine names its input in warnings and in the results store).
 */
export async function cutInput(
  input: string,
  dir: string,
  name: string,
  chunkLines: number,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): Promise<CutInput> {
  let source: Awaited<ReturnType<typeof openSequentialSource>>;
  try {
    source = await openSequentialSource(input, "VCF", { maxCompressionRatio: MAX_COMPRESSION_RATIO });
  } catch (err) {
    if (err instanceof CompressedDataError) return { files: [], records: 0, plainBytes: 0 };
    throw err;
  }
  const files: string[] = [];
  let header: Buffer[] | null = [];
  let headerBytes: Uint8Array | null = null;
  let pending = Buffer.alloc(0); // header text not yet ended by a newline
  let headerSize = 0;
  let sink: FileSink | null = null;
  let inChunk = 0;
  let records = 0;
  let plainBytes = 0;
  let lineOpen = false; // the last byte written to the chunk was not a newline
  let openLineBytes = 0; // bytes of the unfinished line so far (the engine's line-length limit)

  const openChunk = async () => {
    const folder = join(dir, String(files.length));
    await Bun.write(join(folder, ".keep"), "");
    const path = join(folder, name);
    files.push(path);
    sink = Bun.file(path).writer({ highWaterMark: 1 << 20 });
    sink.write(headerBytes!);
    inChunk = 0;
  };

  const closeChunk = async () => {
    if (!sink) return;
    if (lineOpen) {
      // The input's last line had no newline: it is a record all the same.
      sink.write("\n");
      records++;
    }
    lineOpen = false;
    await sink.end();
    sink = null;
  };

  /** Data bytes: whole lines go to the current chunk, a new chunk every chunkLines lines. */
  const data = async (buf: Uint8Array) => {
    let from = 0;
    while (from < buf.length) {
      if (!sink) await openChunk();
      // Lines still allowed in this chunk; find the newline that ends the last of them.
      let at = from;
      let end = -1;
      while (inChunk < chunkLines) {
        const nl = buf.indexOf(NL, at);
        if (nl < 0) break;
        if (openLineBytes + nl - at > maxLineBytes) throw new NotCuttable();
        // A line ends here; an empty one is written as it is (the engine skips it) but is no record.
        if (lineOpen || nl > at) records++;
        inChunk++;
        lineOpen = false;
        openLineBytes = 0;
        at = nl + 1;
        end = at;
      }
      if (inChunk >= chunkLines) {
        sink!.write(buf.subarray(from, end));
        from = end;
        await closeChunk();
        continue;
      }
      // The rest holds no newline: an unfinished line, continued by the next buffer.
      if (at < buf.length) {
        lineOpen = true;
        openLineBytes += buf.length - at;
        if (openLineBytes > maxLineBytes) throw new NotCuttable();
      }
      sink!.write(buf.subarray(from));
      from = buf.length;
    }
  };

  // An early return (not a VCF header) must not leave the file open.
  try {
    return await readAll();
  } catch (err) {
    if (err instanceof NotCuttable || err instanceof CompressedDataError) return { files: [], records: 0, plainBytes };
    throw err;
  } finally {
    await source.close();
    await (sink as FileSink | null)?.end();
  }

  async function readAll(): Promise<CutInput> {
    for (let next = await source.next(); next; next = await source.next()) {
      // A copy: the source reuses its buffer, and the chunk file's writer may hold on to the bytes.
      const chunk = Buffer.from(next);
      plainBytes += chunk.length;
      if (header) {
        const text = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        let line = 0;
        let ended = -1;
        for (;;) {
          const nl = text.indexOf(NL, line);
          if (nl < 0) break;
          if (text[line] !== 35 /* # */) return { files: [], records: 0, plainBytes };
          if (text[line + 1] === 67 /* C */ && text[line + 2] === 72 /* H */) {
            ended = nl + 1;
            break;
          }
          line = nl + 1;
        }
        if (ended < 0) {
          header.push(text.subarray(0, line));
          headerSize += line;
          pending = Buffer.from(text.subarray(line));
          if (pending.length > maxLineBytes || headerSize > MAX_HEADER_BYTES) throw new NotCuttable();
          continue;
        }
        header.push(text.subarray(0, ended));
        headerBytes = Buffer.concat(header);
        header = null;
        await data(text.subarray(ended));
        continue;
      }
      await data(chunk);
    }
    if (header) return { files: [], records: 0, plainBytes };
    await closeChunk();
    return { files, records, plainBytes };
  }
}
