/**
 * A user's view of an archived result, through the web pages of a running GAS process: the result
 * state the job page shows, waiting for it to change, and upgrading through the local checkout.
 * Shared by the archive lifecycle tests on the local and the AWS backends.
 */
import { expect } from "bun:test";
import { type Client, csrfTokenIn } from "./gas-process.ts";

const html = { headers: { accept: "text/html" } };

/** The job page's result state (data-result-state on the download cell). */
export async function resultState(client: Client, jobId: string): Promise<string> {
  const page = await (await client.request(`/annotations/${jobId}`, html)).text();
  return /id="result-download" data-result-state="([A-Z]+)"/.exec(page)?.[1] ?? "none";
}

/** Poll the job page until its result state is `want`; returns every state seen on the way. */
export async function waitForState(client: Client, jobId: string, want: string, timeoutMs: number): Promise<string[]> {
  const seen: string[] = [];
  for (const deadline = Date.now() + timeoutMs; ; await Bun.sleep(100)) {
    const s = await resultState(client, jobId);
    if (seen.at(-1) !== s) seen.push(s);
    if (s === want) return seen;
    if (Date.now() > deadline) throw new Error(`job ${jobId} never reached ${want}: saw ${seen.join(" → ")}`);
  }
}

/**
 * Subscribe through the local checkout (the payments adapter outside production without Stripe):
 * /subscribe → checkout page → "Pay (simulated)" → confirmation; returns the confirmation page.
 */
export async function upgradeThroughLocalCheckout(client: Client): Promise<string> {
  const subscribe = await (await client.request("/subscribe", html)).text();
  expect(subscribe).toContain("You are subscribing to the GAS Premium plan.");
  const start = await client.request("/subscribe", { method: "POST", body: new URLSearchParams({ _csrf: csrfTokenIn(subscribe) }) });
  expect(start.status).toBe(303);
  const checkout = start.headers.get("location")!;
  expect(checkout).toStartWith("/checkout/local/");
  const page = await (await client.request(checkout, html)).text();
  expect(page).toContain("Pay (simulated)");
  const paid = await client.request(checkout, { method: "POST", body: new URLSearchParams({ _csrf: csrfTokenIn(page) }) });
  expect(paid.status).toBe(303);
  expect(new URL(paid.headers.get("location")!, "http://x").pathname).toBe("/subscribe/confirm");
  return (await client.request("/subscribe/confirm", html)).text();
}
