/** ANNOTATOR_MODE=push configuration, and the test-only trusted origin that production refuses. */
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../config.ts";
import { configProblems as problems } from "../../../test/support/config-problems.ts";

const aws = {
  GAS_BACKEND: "aws",
  AWS_REGION: "us-east-1",
  S3_INPUTS_BUCKET: "gas-inputs-1",
  S3_RESULTS_BUCKET: "gas-results-1",
  SES_FROM: "noreply@gas.example.org",
};
const topicArn = "arn:aws:sns:us-east-1:123456789012:gas-job-requested";
const production = {
  NODE_ENV: "production",
  SESSION_SECRET: "sns-push-session-secret-0123456789",
  UPLOAD_SIGNING_SECRET: "sns-push-upload-secret-0123456789",
  PUBLIC_URL: "https://gas.example.org",
};

describe("ANNOTATOR_MODE=push configuration", () => {
  test("poll by default: no push settings", () => {
    expect(loadConfig(aws).annotator.push).toBeNull();
    expect(loadConfig({}).annotator.push).toBeNull();
  });

  test("push: the original's port 5000, HOST, the topic, plain HTTP, a 60 s sweep, no test origin", () => {
    expect(loadConfig({ ...aws, ANNOTATOR_MODE: "push", ANNOTATOR_PUSH_TOPIC_ARN: topicArn }).annotator.push).toEqual({
      host: "0.0.0.0",
      port: 5000,
      topicArn,
      tls: null,
      sweepSeconds: 60,
      trustedTestOrigin: null,
    });
    const c = loadConfig({
      ...aws,
      HOST: "127.0.0.1",
      ANNOTATOR_MODE: "push",
      ANNOTATOR_PUSH_TOPIC_ARN: "arn:aws-cn:sns:cn-north-1:123456789012:gas-job-requested",
      ANNOTATOR_PUSH_PORT: "8443",
      ANNOTATOR_PUSH_TLS_CERT: "/etc/gas/push.crt",
      ANNOTATOR_PUSH_TLS_KEY: "/etc/gas/push.key",
      ANNOTATOR_PUSH_SWEEP_SECONDS: "300",
    }).annotator.push;
    expect(c).toMatchObject({
      host: "127.0.0.1",
      port: 8443,
      tls: { certFile: "/etc/gas/push.crt", keyFile: "/etc/gas/push.key" },
      sweepSeconds: 300,
    });
  });

  test("push needs GAS_BACKEND=aws and the topic ARN; TLS files come in pairs; bad values are named", () => {
    expect(problems({ ANNOTATOR_MODE: "push", ANNOTATOR_PUSH_TOPIC_ARN: topicArn })).toContain(
      "ANNOTATOR_MODE: push needs GAS_BACKEND=aws",
    );
    expect(problems({ ...aws, ANNOTATOR_MODE: "push" })).toContain("ANNOTATOR_PUSH_TOPIC_ARN: is required when ANNOTATOR_MODE=push");
    expect(problems({ ...aws, ANNOTATOR_MODE: "push", ANNOTATOR_PUSH_TOPIC_ARN: "gas-job-requested" })).toContain(
      "ANNOTATOR_PUSH_TOPIC_ARN: must be an SNS topic ARN",
    );
    expect(problems({ ...aws, ANNOTATOR_MODE: "push", ANNOTATOR_PUSH_TOPIC_ARN: topicArn, ANNOTATOR_PUSH_TLS_CERT: "/x.crt" })).toContain(
      "ANNOTATOR_PUSH_TLS_CERT, ANNOTATOR_PUSH_TLS_KEY: set both",
    );
    expect(problems({ ANNOTATOR_MODE: "pull" })).toContain("ANNOTATOR_MODE:");
    expect(problems({ ANNOTATOR_PUSH_PORT: "70000" })).toContain("ANNOTATOR_PUSH_PORT:");
    expect(problems({ ANNOTATOR_PUSH_SWEEP_SECONDS: "0" })).toContain("ANNOTATOR_PUSH_SWEEP_SECONDS:");
  });

  test("SNS_PUSH_TEST_TRUSTED_ORIGIN: a loopback origin outside production", () => {
    const push = { ...aws, ANNOTATOR_MODE: "push", ANNOTATOR_PUSH_TOPIC_ARN: topicArn };
    expect(
      loadConfig({ ...push, NODE_ENV: "test", SNS_PUSH_TEST_TRUSTED_ORIGIN: "http://127.0.0.1:41234" }).annotator.push?.trustedTestOrigin,
    ).toBe("http://127.0.0.1:41234");
    expect(loadConfig({ ...push, SNS_PUSH_TEST_TRUSTED_ORIGIN: "http://localhost:41234/" }).annotator.push?.trustedTestOrigin).toBe(
      "http://localhost:41234",
    );
    for (const bad of [
      "https://sns.evil.org",
      "http://10.0.0.5:80",
      "http://127.0.0.1:41234/certs",
      "http://user@127.0.0.1:1",
      "ftp://127.0.0.1",
      "not a url",
    ]) {
      expect([bad, problems({ ...push, SNS_PUSH_TEST_TRUSTED_ORIGIN: bad })]).toEqual([
        bad,
        expect.stringContaining("SNS_PUSH_TEST_TRUSTED_ORIGIN: must be an http(s) origin on a loopback address"),
      ]);
    }
  });

  test("production refuses SNS_PUSH_TEST_TRUSTED_ORIGIN (it would let a local certificate sign job requests)", () => {
    const env = { ...aws, ...production, ANNOTATOR_MODE: "push", ANNOTATOR_PUSH_TOPIC_ARN: topicArn };
    expect(loadConfig(env).annotator.push?.trustedTestOrigin).toBeNull();
    expect(problems({ ...env, SNS_PUSH_TEST_TRUSTED_ORIGIN: "http://127.0.0.1:41234" })).toContain(
      "SNS_PUSH_TEST_TRUSTED_ORIGIN: is for tests only and refused when NODE_ENV=production",
    );
  });
});
