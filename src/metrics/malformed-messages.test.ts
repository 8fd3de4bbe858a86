/**
 * Malformed messages are counted on /metrics by the roles that delete them: the notifier's, on the
 * container's real wiring (PGlite, the PostgreSQL queue); the annotator's is in
 * annotation-worker.test.ts. And what their log line keeps of the body.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type WebHarness, startWebHarness } from "../../test/support/web-harness.ts";
import { createLogger } from "../shared/logger.ts";
import type { NotifierMessage } from "../modules/notify/notifier.ts";
import { MALFORMED_BODY_LOGGED, malformedBody } from "./malformed-messages.ts";

describe("malformed messages", () => {
  test("the logged body: raw text as received, JSON otherwise, cut to its first 1,000 characters", () => {
    expect([malformedBody("not json"), malformedBody({ jobId: 42 }), malformedBody(null)]).toEqual(["not json", '{"jobId":42}', "null"]);
    expect(malformedBody("x".repeat(5000))).toBe("x".repeat(MALFORMED_BODY_LOGGED));
    expect(MALFORMED_BODY_LOGGED).toBe(1000);
  });

  describe("the notifier of the container", () => {
    let h: WebHarness;
    beforeAll(async () => {
      h = await startWebHarness();
    }, 60_000);
    afterAll(() => h.close());

    test("deletes one at first sight and counts it in gas_malformed_messages_total{queue}", async () => {
      const queue = h.container.ports.queue<NotifierMessage>("notifier");
      await queue.send("not json" as unknown as NotifierMessage);
      const [d] = await queue.receive();
      expect(await h.container.notifier(createLogger("error", {}, () => {}))(d!)).toBe("malformed");
      expect(await queue.receive()).toEqual([]);
      const { body } = await h.container.metrics.render();
      expect(body.split("\n").filter((l) => l.startsWith("gas_malformed_messages_total"))).toEqual([
        'gas_malformed_messages_total{queue="notifier"} 1',
      ]);
    });
  });
});
