/** Where a browser may be sent after sign-in or a form: a path on this site, never elsewhere. */
import { z } from "zod";

const SITE = "http://site.invalid";

/**
 * `next` as a path on this site, or null. Browsers drop tabs and newlines anywhere in a URL, trim
 * leading C0 controls and spaces, read `\` as `/` and resolve dot segments, so `/\t/evil.example`
 * and `/a/..//evil.example` both leave the site: any whitespace, control character or backslash is
 * refused outright, and what is left must resolve, as a browser resolves it, to a path here that
 * does not itself start with `//`. Returns the resolved path (what the browser would request).
 */
export function sameSitePath(next: string): string | null {
  // biome-ignore lint: control characters are exactly what we reject
  if (next.length > 2048 || !next.startsWith("/") || /[\s\u0000-\u001f\u007f-\u009f\\]/.test(next)) return null;
  if (!URL.canParse(next, SITE)) return null;
  const url = new URL(next, SITE);
  const path = url.pathname + url.search + url.hash;
  return url.origin === SITE && !path.startsWith("//") ? path : null;
}

/** Where to go after sign-in or a form: `next` when it is a path on this site, else `fallback` (no open redirect). */
export const safeNext = (next: string | undefined | null, fallback = "/annotations") => (next ? sameSitePath(next) : null) ?? fallback;

const NEXT_ERROR = "The next parameter must be a path on this site, such as /annotations; this one was refused.";

/** A `next` parameter (query or form) as its path: "" → null; anything but a path on this site → the 400 naming it. */
export const NextPath = z.string().transform((next, ctx) => {
  if (!next) return null;
  const path = sameSitePath(next);
  if (path !== null) return path;
  ctx.addIssue({ code: "custom", message: NEXT_ERROR });
  return z.NEVER;
});
