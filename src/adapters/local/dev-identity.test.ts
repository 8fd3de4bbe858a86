import { describe, expect, test } from "bun:test";
import { identityContract } from "../../ports/identity.contract.ts";
import { createDevIdentity } from "./dev-identity.ts";

identityContract("dev sign-in", async () => ({
  provider: createDevIdentity({ production: false, formPath: "/login/dev" }),
  answer: async (start, user) => new URLSearchParams({ state: start.state, email: user.email, name: user.name }),
}));

describe("dev sign-in", () => {
  test("is refused when NODE_ENV=production", () => {
    expect(() => createDevIdentity({ production: true, formPath: "/login/dev" })).toThrow(/production/);
  });
});
