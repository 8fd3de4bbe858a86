import { describe, expect, test } from "bun:test";
import { policyExpired, uploadPageFor } from "./upload.routes.tsx";

const policy = (expiration: string) => Buffer.from(JSON.stringify({ expiration, conditions: [] })).toString("base64");

describe("the refused upload form's page", () => {
  const now = new Date("2026-01-01T12:00:00Z");

  test("an expired policy is told apart from one refused for another reason", () => {
    expect(policyExpired(policy("2026-01-01T11:59:59Z"), now)).toBe(true);
    expect(policyExpired(policy("2026-01-01T12:05:00Z"), now)).toBe(false);
    expect(policyExpired("not base64 json", now)).toBe(false);
    expect(policyExpired(undefined, now)).toBe(false);
  });

  test("'Open the upload page again' keeps the form's job settings, and only this site's", () => {
    const here = "http://gas.test/upload";
    expect(uploadPageFor("http://gas.test/annotate/job?name=Run+1&pick=1", here)).toBe("/annotate?name=Run+1&pick=1");
    expect(uploadPageFor("http://gas.test/annotate/job", here)).toBe("/annotate");
    expect(uploadPageFor("https://evil.example/annotate/job?x=1", here)).toBe("/annotate");
    expect(uploadPageFor("http://gas.test/elsewhere?x=1", here)).toBe("/annotate");
    expect(uploadPageFor("not a url", here)).toBe("/annotate");
    expect(uploadPageFor(undefined, here)).toBe("/annotate");
  });
});
