/**
 * A growable UTF-8 byte buffer that output lines are written into piece by piece.
 *
 * Why not strings: an annotated line is built from ~40 small pieces (fields, numbers, cached
 * feature columns). As template literals they form a rope that JavaScriptCore must flatten and
 * then encode to UTF-8; on the 1M-variant benchmark that was ~55 % of all time. Writing the pieces
 * straight into bytes, numbers as digits and repeated columns as pre-encoded arrays, measured
 * 2.4x faster than rope + encodeInto in a micro-benchmark of the same line shapes (316 vs 750 ms
 * per million lines).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ByteBuilder {
  /** The bytes written so far are `bytes[0, length)`. */
  bytes: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1 << 16) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.bytes.length - this.length >= n) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  /** One ASCII byte. */
  byte(c: number): void {
    if (this.length >= this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = c;
  }

  /**
   * Any string, as UTF-8. Short ASCII strings (nearly every field) are copied with a plain loop,
   * which beats creating a subarray for encodeInto; the first non-ASCII character hands the whole
   * string to the encoder.
   */
  text(s: string): void {
    const n = s.length;
    if (this.bytes.length - this.length < n * 3) this.reserve(n * 3);
    const b = this.bytes;
    const start = this.length;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.length = start + encoder.encodeInto(s, b.subarray(start)).written;
        return;
      }
      b[p++] = c;
    }
    this.length = p;
  }

  /** Bytes that are already UTF-8 (cached, pre-encoded pieces). */
  raw(src: Uint8Array): void {
    const n = src.length;
    if (this.bytes.length - this.length < n) this.reserve(n);
    // A loop beats `set` for the short pieces this gets; `set` wins past a few dozen bytes.
    if (n > 32) {
      this.bytes.set(src, this.length);
      this.length += n;
      return;
    }
    const b = this.bytes;
    let p = this.length;
    for (let i = 0; i < n; i++) b[p++] = src[i]!;
    this.length = p;
  }

  /** An integer in decimal, without creating a string. */
  int(value: number): void {
    if (this.bytes.length - this.length < 24) this.reserve(24);
    this.length = putInt(this.bytes, this.length, value);
  }

  /** The bytes written so far (a view: valid until the next write or `clear`). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }

  /** The bytes written so far as a string. */
  toString(): string {
    return decoder.decode(this.view());
  }
}

/*
 * Position-passing writers for the hottest paths: the caller reserves room once (`reserve`), works
 * on `out.bytes` with a local position and stores `out.length` at the end. Against one ByteBuilder
 * method call per piece (each loading and storing the builder's fields) this measured ~1.6x
 * faster for an ANN entry.
 */

/** Writes integer `n` (|n| < 2^31 for the fast path) at `p`; returns the position after it. Needs 11 bytes. */
export function putInt(b: Uint8Array, p: number, n: number): number {
  if (n < 0) {
    b[p++] = 45; // -
    n = -n;
  }
  if (n > 0x7fffffff) return putAscii(b, p, String(n));
  n |= 0;
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  // int32 arithmetic: `(n / 10) | 0` compiles to an integer division by a constant, while
  // Math.floor on doubles measured 4x slower (~200 ns per 8-digit number).
  const digits =
    n < 100
      ? 2
      : n < 1000
        ? 3
        : n < 10000
          ? 4
          : n < 100000
            ? 5
            : n < 1000000
              ? 6
              : n < 10000000
                ? 7
                : n < 100000000
                  ? 8
                  : n < 1000000000
                    ? 9
                    : 10;
  for (let q = p + digits - 1; q >= p; q--) {
    const next = (n / 10) | 0;
    b[q] = 48 + (n - next * 10);
    n = next;
  }
  return p + digits;
}

/** Writes a string the engine made of ASCII characters (bases, HGVS, digits). Needs s.length bytes. */
export function putAscii(b: Uint8Array, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
  return p + n;
}

/**
 * Writes any string as UTF-8 at out.length-relative position `p` (copy loop for ASCII, the encoder
 * otherwise). Needs s.length * 3 bytes reserved, so the buffer never moves under the caller.
 */
export function putText(out: ByteBuilder, p: number, s: string): number {
  const b = out.bytes;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return p + encoder.encodeInto(s, b.subarray(p)).written;
    b[p + i] = c;
  }
  return p + n;
}

/** Copies pre-encoded bytes. */
export function putBytes(b: Uint8Array, p: number, src: Uint8Array): number {
  const n = src.length;
  // A loop beats `set` for the short pieces; `set` wins past a few dozen bytes.
  if (n > 32) b.set(src, p);
  else for (let i = 0; i < n; i++) b[p + i] = src[i]!;
  return p + n;
}

/** UTF-8 bytes of a string that is written many times (a feature's columns, a term list). */
export function encodeOnce(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The bytes of the pieces one after the other, as a new array (for cached pieces built once). */
export function concatBytes(...pieces: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const piece of pieces) n += piece.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
