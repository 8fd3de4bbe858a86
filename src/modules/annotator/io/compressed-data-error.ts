/**
 * Broken compressed data (a bad CRC, a truncated member, a foreign format). Raised by the byte
 * sources, which know no line numbers; a reader turns it into an error at the line being read.
 */
export class CompressedDataError extends Error {
  override readonly name = "CompressedDataError";
}
