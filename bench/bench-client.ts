/** Shared set-up for the service benchmarks: a running GAS, a signed-in API client, uploads. */
import { type Client, createClient, csrfTokenIn, postUpload } from "../test/support/gas-process.ts";

/** Sign in a fresh dev user and return a bearer-token API client. */
export async function apiClient(url: string, email: string): Promise<Client> {
  const browser = createClient(url);
  await browser.signIn(email);
  const res = await browser.json("/account/tokens", { method: "POST", body: JSON.stringify({ name: "bench" }) });
  const { token } = (await res.json()) as { token: string };
  return createClient(url, { token });
}

/**
 * Sign in a fresh dev user, make them Premium through the local checkout (the same webhook path
 * Stripe's events take; the payments adapter outside production without Stripe keys), then make an
 * API token. Returns the browser (cookie session, for pages) and the API client (bearer token).
 */
export async function premiumClients(url: string, email: string): Promise<{ browser: Client; api: Client }> {
  const browser = createClient(url);
  await browser.signIn(email);
  const html = { headers: { accept: "text/html" } };
  const subscribe = await browser.request("/subscribe", html);
  if (subscribe.status !== 200) throw new Error(`GET /subscribe: ${subscribe.status} (expected the subscribe page of a free user)`);
  const start = await browser.request("/subscribe", {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrfTokenIn(await subscribe.text()) }),
  });
  const checkout = start.headers.get("location") ?? "";
  if (start.status !== 303 || !checkout.startsWith("/checkout/local/"))
    throw new Error(`POST /subscribe: ${start.status} to "${checkout}"; the local checkout is off (STRIPE_* set?)`);
  const page = await browser.request(checkout, html);
  const paid = await browser.request(checkout, { method: "POST", body: new URLSearchParams({ _csrf: csrfTokenIn(await page.text()) }) });
  if (paid.status !== 303) throw new Error(`local checkout payment: ${paid.status} ${await paid.text()}`);
  // A premium user's /subscribe sends them to their profile: the upgrade took.
  const after = await browser.request("/subscribe", html);
  if (after.status !== 303) throw new Error(`still not Premium after the local checkout (GET /subscribe: ${after.status})`);
  const res = await browser.json("/account/tokens", { method: "POST", body: JSON.stringify({ name: "bench" }) });
  const { token } = (await res.json()) as { token: string };
  return { browser, api: createClient(url, { token }) };
}

/** Upload `body` through the signed form; returns the input key for POST /annotations. */
export async function upload(api: Client, body: Uint8Array<ArrayBuffer>, name: string): Promise<string> {
  const form = (await (await api.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
  const res = await postUpload(policyOnly(form.url), form.url, form.fields, new File([body], name));
  if (res.status !== 303) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return new URL(res.headers.get("location")!).searchParams.get("key")!;
}

/** Upload a file from disk through the signed form (Bun reads it lazily); returns the input key. */
export async function uploadFile(api: Client, path: string, name: string): Promise<string> {
  const form = (await (await api.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
  const res = await postUpload(policyOnly(form.url), form.url, form.fields, new File([Bun.file(path)], name));
  if (res.status !== 303) throw new Error(`upload of ${path} failed: ${res.status} ${await res.text()}`);
  return new URL(res.headers.get("location")!).searchParams.get("key")!;
}

/**
 * A client without credentials for posting the signed upload form: the form's policy is its
 * authorisation (as with S3's presigned POST), and a bearer token sent along would be checked for
 * the `manage` scope that other unsafe requests need.
 */
const policyOnly = (uploadUrl: string) => createClient(new URL(uploadUrl).origin);

/** Run `task` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(items: T[], concurrency: number, task: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Median of `values` (the lower middle for an even count). */
export const median = (values: number[]) => percentile(values, 50);

/** p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
