/**
 * The verification email (issue 13 item 10): the only email an unverified address gets, so it
 * says what confirming means, carries the link, and nothing but the address that a user chose.
 */
import { describe, expect, test } from "bun:test";
import type { MailMessage } from "../../ports/mailer.ts";
import { addressVerificationSender, renderAddressVerificationEmail } from "./address-verification-email.tsx";

const link = "https://gas.example.org/profile/verify-email?token=AbC_-123";
const expiresAt = new Date("2026-01-02T03:04:05Z");

describe("address verification email", () => {
  test("the link and its expiry in both bodies; the subject says what it is", async () => {
    const m = await renderAddressVerificationEmail({ to: "ada@example.org", link, expiresAt });
    expect(m.subject).toBe("Confirm your email address for GAS");
    for (const body of [m.text, m.html]) {
      expect(body).toContain(link);
      expect(body).toContain("Friday 2 January 2026, 03:04 UTC");
      expect(body).toContain("ada@example.org");
      expect(body).toContain("ignore this email");
    }
  });

  test("markup in an address is escaped in the HTML", async () => {
    const m = await renderAddressVerificationEmail({ to: '"<b>x</b>"@example.org', link, expiresAt });
    expect(m.html).not.toContain("<b>x</b>");
  });

  test("the sender hands the mailer one message with the caller's idempotency key", async () => {
    const sent: MailMessage[] = [];
    await addressVerificationSender({ send: async (m) => void sent.push(m) })({
      to: "ada@example.org",
      link,
      expiresAt,
      idempotencyKey: "k1",
    });
    expect(sent.map((m) => [m.to, m.idempotencyKey])).toEqual([["ada@example.org", "k1"]]);
  });
});
