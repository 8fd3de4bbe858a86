/**
 * IdentityProvider contract for providers a test can drive without a browser (dev sign-in; an
 * OIDC provider against a local issuer later): `answer` plays the user at the provider.
 */
import { describe, expect, test } from "bun:test";
import type { IdentityProvider, SignInStart } from "./identity.ts";

export interface IdentityHarness {
  provider: IdentityProvider;
  /** What the provider would send back to the callback for this user. */
  answer(start: SignInStart, user: { email: string; name: string }): Promise<URLSearchParams>;
}

/** Register the contract tests for one provider. */
export function identityContract(name: string, open: () => Promise<IdentityHarness>) {
  describe(`Identity contract: ${name}`, () => {
    test("a completed sign-in yields a stable subject and the user's email", async () => {
      const h = await open();
      const start = await h.provider.begin("http://localhost:3000/auth/callback");
      const id = await h.provider.complete(await h.answer(start, { email: "ada@example.org", name: "Ada" }), start);
      expect(id.email).toBe("ada@example.org");
      // Says whether it vouches for the address (issue 13 item 10); absent would mean "no".
      expect(typeof id.emailVerified).toBe("boolean");
      const again = await h.provider.begin("http://localhost:3000/auth/callback");
      const id2 = await h.provider.complete(await h.answer(again, { email: "ada@example.org", name: "Ada" }), again);
      expect(id2.subject).toBe(id.subject);
    });

    test("a callback with another sign-in's state is refused", async () => {
      const h = await open();
      const a = await h.provider.begin("http://localhost:3000/auth/callback");
      const b = await h.provider.begin("http://localhost:3000/auth/callback");
      await expect(h.provider.complete(await h.answer(a, { email: "x@example.org", name: "X" }), b)).rejects.toThrow();
    });
  });
}
