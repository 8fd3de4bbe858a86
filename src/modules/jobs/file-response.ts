import { attachmentDisposition } from "../../ports/object-store.ts";

/**
 * A download response streamed by the web role. The file name is the user's: see
 * attachmentDisposition; `nosniff` (set globally) stops a browser from rendering it as HTML.
 * `size` is omitted when unknown (a body decompressed on the way out).
 */
export function fileResponse(name: string, body: ReadableStream<Uint8Array>, contentType: string, size: number | null): Response {
  return new Response(body, {
    headers: {
      "content-type": contentType,
      ...(size !== null ? { "content-length": String(size) } : {}),
      "content-disposition": attachmentDisposition(name),
      "cache-control": "private, no-store",
    },
  });
}

/** Sends the browser to a store's download URL (a presigned S3 GET); never cached, it expires. */
export function redirectResponse(url: string): Response {
  return new Response(null, { status: 303, headers: { location: url, "cache-control": "private, no-store" } });
}
