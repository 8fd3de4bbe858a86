/**
 * Headers of an export download. The file name derives from the user's input name (anything but
 * `/` and control characters): the plain `filename` gets an ASCII stand-in, `filename*` the exact
 * UTF-8 name (RFC 6266), as the jobs module's file downloads do.
 */
export function downloadHeaders(name: string, contentType: string): Record<string, string> {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  // RFC 8187 attr-char excludes ' ( ) * which encodeURIComponent leaves alone.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return {
    "content-type": contentType,
    "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`,
    "cache-control": "private, no-store",
  };
}

/** A stream that pulls `chunks` one at a time as the consumer reads (backpressure), and stops it when the client goes away. */
export function pullStream(chunks: AsyncGenerator<Uint8Array | string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
        } catch (err) {
          controller.error(err);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    // One chunk buffered ahead: the next page is being fetched while the last one is sent.
    { highWaterMark: 1 },
  );
}
