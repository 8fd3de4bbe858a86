/** Shared set-up for the service benchmarks: a running GAS, a signed-in API client, uploads. */
import { type Client, createClient, postUpload } from "../test/support/gas-process.ts";

/** Sign in a fresh dev user and return a bearer-token API client. */
export async function apiClient(url: string, email: string): Promise<Client> {
  const browser = createClient(url);
  await browser.signIn(email);
  const res = await browser.json("/account/tokens", { method: "POST", body: JSON.stringify({ name: "bench" }) });
  const { token } = (await res.json()) as { token: string };
  return createClient(url, { token });
}

/** Upload `body` through the signed form; returns the input key for POST /annotations. */
export async function upload(api: Client, body: Uint8Array<ArrayBuffer>, name: string): Promise<string> {
  const form = (await (await api.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
  const res = await postUpload(api, form.url, form.fields, new File([body], name));
  if (res.status !== 303) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return new URL(res.headers.get("location")!).searchParams.get("key")!;
}

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

/** p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
