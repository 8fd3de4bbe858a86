/**
 * A gzip file of separately compressed members that can be read one at a time: each member's
 * header carries an extra subfield `GI` (RFC 1952 §2.3.1.1) with the member's total size, as BGZF
 * carries `BC`, so a reader steps from member to member without inflating any. To gzip, zcat and
 * every other reader it is an ordinary gzip file (members are concatenated on decompression).
 *
 * The prepared gene-model index (prepared-index.ts) is such a file: a header line, then one line
 * per contig, inflated only when the annotation reaches that contig.
 */

/** ID1 ID2 CM FLG(FEXTRA) MTIME(4) XFL OS XLEN(2) | SI1 SI2 LEN(2) member size(4). */
const HEADER_LEN = 20;
const TRAILER_LEN = 8;

/** One gzip member of `data`, its size in the `GI` subfield. */
function member(data: Uint8Array, level: number): Uint8Array {
  const deflated = Bun.deflateSync(data as Uint8Array<ArrayBuffer>, { level: level as 6 });
  const size = HEADER_LEN + deflated.length + TRAILER_LEN;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 8, 0, 0x47 /* G */, 0x49 /* I */, 4, 0]);
  view.setUint32(16, size, true);
  out.set(deflated, HEADER_LEN);
  view.setUint32(size - 8, Bun.hash.crc32(data) >>> 0, true);
  view.setUint32(size - 4, data.length >>> 0, true);
  return out;
}

/** The members of `parts`, concatenated: one gzip file. */
export function writeGzipMembers(parts: readonly (string | Uint8Array)[], level = 6): Uint8Array {
  const encoder = new TextEncoder();
  const members = parts.map((p) => member(typeof p === "string" ? encoder.encode(p) : p, level));
  const out = new Uint8Array(members.reduce((a, m) => a + m.length, 0));
  let at = 0;
  for (const m of members) {
    out.set(m, at);
    at += m.length;
  }
  return out;
}

/**
 * Where each member of `bytes` starts and how long it is, or null when the bytes are not such a
 * file (an ordinary gzip, an older index, or a truncated one).
 */
export function listGzipMembers(bytes: Uint8Array): { offset: number; size: number }[] | null {
  const out: { offset: number; size: number }[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length; ) {
    if (
      bytes.length - at < HEADER_LEN + TRAILER_LEN ||
      bytes[at] !== 0x1f ||
      bytes[at + 1] !== 0x8b ||
      bytes[at + 3] !== 0x04 ||
      bytes[at + 12] !== 0x47 ||
      bytes[at + 13] !== 0x49
    ) {
      return null;
    }
    const size = view.getUint32(at + 16, true);
    if (size < HEADER_LEN + TRAILER_LEN || at + size > bytes.length) return null;
    out.push({ offset: at, size });
    at += size;
  }
  return out;
}

/**
 * The decompressed bytes of one member listed by listGzipMembers.
 * @throws Error when its CRC32 or length does not match (a damaged file).
 */
export function inflateGzipMember(bytes: Uint8Array, m: { offset: number; size: number }): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = m.offset + m.size;
  const out = Bun.inflateSync(bytes.subarray(m.offset + HEADER_LEN, end - TRAILER_LEN) as Uint8Array<ArrayBuffer>);
  if (out.length !== view.getUint32(end - 4, true) || Bun.hash.crc32(out) >>> 0 !== view.getUint32(end - 8, true)) {
    throw new Error(`gzip member at byte ${m.offset} is damaged (checksum or length mismatch)`);
  }
  return out;
}
