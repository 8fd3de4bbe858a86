/**
 * Push mode for the annotator (ANNOTATOR_MODE=push): the SNS webhook served on its own port
 * (ANNOTATOR_PUSH_PORT, 5000 as in the original), HTTPS when a certificate is configured (else
 * plain HTTP behind a TLS-terminating load balancer), ringing the doorbell of the annotator's
 * SQS queue. src/container.ts builds the starter; the annotator role starts it.
 */
import type { Queue } from "../../ports/queue.ts";
import type { Logger } from "../../shared/logger.ts";
import { createDoorbellQueue } from "./sns-push-queue.ts";
import { createSnsWebhook } from "./sns-push-webhook.ts";
import { createSnsVerifier } from "./sns-signature.ts";

/** What src/config.ts gives as `config.annotator.push`. */
export interface SnsPushSettings {
  host: string;
  port: number;
  /** The job-requests topic: messages from any other topic are refused. */
  topicArn: string;
  /** PEM files; null: plain HTTP. */
  tls: { certFile: string; keyFile: string } | null;
  sweepSeconds: number;
  /** SNS_PUSH_TEST_TRUSTED_ORIGIN (never in production). */
  trustedTestOrigin: string | null;
}

export interface SnsPushRunning<M> {
  /** The annotator's queue, received from when a push rings (or every sweepSeconds). */
  queue: Queue<M>;
  /** Where the webhook listens (http:// or https://, with the port actually bound). */
  url: string;
  stop(): Promise<void>;
}

export interface SnsPushStarter {
  start<M>(queue: Queue<M>, log: Logger): Promise<SnsPushRunning<M>>;
}

/** Read a PEM file named by a variable, with an error naming both when it cannot be read. */
async function readPem(path: string, variable: string): Promise<string> {
  try {
    return await Bun.file(path).text();
  } catch (err) {
    throw new Error(`${variable}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The starter the container hands to the annotator role. */
export function createSnsPushStarter(settings: SnsPushSettings): SnsPushStarter {
  return {
    async start(inner, log) {
      const pushLog = log.child({ webhook: "sns" });
      const queue = createDoorbellQueue(inner, { sweepSeconds: settings.sweepSeconds });
      const verifier = createSnsVerifier({ topicArn: settings.topicArn, trustedTestOrigin: settings.trustedTestOrigin });
      const handler = createSnsWebhook({
        verifier,
        trustedTestOrigin: settings.trustedTestOrigin,
        onNotification: () => queue.ring(),
        log: pushLog,
      });
      const tls = settings.tls
        ? {
            cert: await readPem(settings.tls.certFile, "ANNOTATOR_PUSH_TLS_CERT"),
            key: await readPem(settings.tls.keyFile, "ANNOTATOR_PUSH_TLS_KEY"),
          }
        : undefined;
      const server = Bun.serve({ hostname: settings.host, port: settings.port, fetch: handler, tls, maxRequestBodySize: 1024 * 1024 });
      const url = `${tls ? "https" : "http"}://${server.hostname}:${server.port}`;
      pushLog.info("push mode: SNS webhook listening", { url, topicArn: settings.topicArn, sweepSeconds: settings.sweepSeconds });
      return {
        queue,
        url,
        async stop() {
          await server.stop(false);
        },
      };
    },
  };
}
