/**
 * The BGZF compressor's thread (bgzf-compressor.ts starts it): compresses each chunk it is sent
 * into BGZF blocks (deflateBgzf), exactly as the writer does on its own thread, and
 * sends back the blocks and the chunk itself (both transferred), in the order the chunks came.
 */
import { BGZF_EOF_BLOCK, bgzfBlockIsize, deflateBgzf } from "./bgzf-codec.ts";
import type { FromCompressor, ToCompressor } from "./bgzf-compressor.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<ToCompressor>) => {
  const { id, data, final, level } = event.data;
  try {
    const blocks: Uint8Array[] = [];
    deflateBgzf(data, level, blocks);
    // Incompressible data is split over several blocks: each block's share of the input.
    const inputs = Uint32Array.from(blocks, bgzfBlockIsize);
    const dataBlocks = blocks.length;
    if (final) blocks.push(BGZF_EOF_BLOCK);
    const compressed = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
    const sizes = new Uint32Array(dataBlocks);
    let at = 0;
    for (let b = 0; b < blocks.length; b++) {
      compressed.set(blocks[b]!, at);
      at += blocks[b]!.length;
      if (b < dataBlocks) sizes[b] = blocks[b]!.length;
    }
    const msg: FromCompressor = { id, data, compressed, sizes, inputs };
    self.postMessage(msg, [data.buffer, compressed.buffer]);
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies FromCompressor);
  }
};
