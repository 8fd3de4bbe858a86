import type { StoredObject } from "../../ports/object-store.ts";

/**
 * A download response. The file name is the user's (it can hold anything but `/` and control
 * characters): the plain `filename` gets an ASCII stand-in, `filename*` the exact UTF-8 name
 * (RFC 6266), and `nosniff` (set globally) stops a browser from rendering it as HTML.
 */
export function fileResponse(name: string, object: StoredObject, contentType: string): Response {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  // RFC 8187 attr-char excludes ' ( ) * which encodeURIComponent leaves alone.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return new Response(object.stream(), {
    headers: {
      "content-type": contentType,
      "content-length": String(object.size),
      "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`,
      "cache-control": "private, no-store",
    },
  });
}
