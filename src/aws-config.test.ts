import { describe, expect, test } from "bun:test";
import { loadConfig } from "./config.ts";
import { configProblems as problems } from "../test/support/config-problems.ts";

const aws = {
  GAS_BACKEND: "aws",
  AWS_REGION: "eu-west-1",
  S3_INPUTS_BUCKET: "gas-inputs-1",
  S3_RESULTS_BUCKET: "gas-results-1",
  SES_FROM: "GAS <noreply@gas.example.org>",
};

describe("GAS_BACKEND=aws configuration", () => {
  test("the local backend has no AWS settings", () => {
    expect(loadConfig({}).aws).toBeNull();
  });

  test("defaults: names from GAS_AWS_PREFIX, the original's index name, no endpoint (real AWS)", () => {
    expect(loadConfig(aws).aws).toEqual({
      region: "eu-west-1",
      endpoint: null,
      endpoints: {},
      resources: {
        prefix: "gas",
        inputsBucket: "gas-inputs-1",
        resultsBucket: "gas-results-1",
        table: "gas-annotations",
        userIndex: "user_id_index",
      },
      ses: { from: "GAS <noreply@gas.example.org>", configurationSet: null },
      scaling: { groupName: "gas-annotator", endpoints: {} },
    });
  });

  test("the backlog metric's group follows the prefix unless ANNOTATOR_ASG_NAME names it; CloudWatch and Auto Scaling endpoints", () => {
    expect(loadConfig({ ...aws, GAS_AWS_PREFIX: "staging" }).aws!.scaling.groupName).toBe("staging-annotator");
    const c = loadConfig({
      ...aws,
      ANNOTATOR_ASG_NAME: "annotators-blue",
      AWS_ENDPOINT_URL_CLOUDWATCH: "http://127.0.0.1:5000",
      AWS_ENDPOINT_URL_AUTO_SCALING: "http://127.0.0.1:5001",
    }).aws!;
    expect(c.scaling).toEqual({
      groupName: "annotators-blue",
      endpoints: { cloudwatch: "http://127.0.0.1:5000", autoscaling: "http://127.0.0.1:5001" },
    });
    expect(problems({ ...aws, ANNOTATOR_ASG_NAME: "arn:aws:autoscaling:x" })).toContain(
      "  ANNOTATOR_ASG_NAME: must be an Auto Scaling group name",
    );
  });

  test("emulator endpoints, one for all or per service, a prefix and an explicit table", () => {
    const c = loadConfig({
      ...aws,
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567",
      GAS_AWS_PREFIX: "staging",
      DYNAMODB_JOBS_TABLE: "staging_annotations",
    }).aws!;
    expect(c.endpoint).toBe("http://127.0.0.1:4566");
    expect(c.endpoints).toEqual({ dynamodb: "http://127.0.0.1:4567" });
    expect(c.resources).toMatchObject({ prefix: "staging", table: "staging_annotations" });
  });

  test("every missing variable is named", () => {
    const m = problems({ GAS_BACKEND: "aws" });
    for (const name of ["AWS_REGION", "S3_INPUTS_BUCKET", "S3_RESULTS_BUCKET", "SES_FROM"])
      expect(m).toContain(`  ${name}: is required when GAS_BACKEND=aws`);
  });

  test("every malformed variable is named with what it must be", () => {
    const m = problems({
      ...aws,
      AWS_REGION: "Europe",
      S3_INPUTS_BUCKET: "Gas_Inputs",
      S3_RESULTS_BUCKET: "192.168.1.1",
      GAS_AWS_PREFIX: "gas.prod",
      DYNAMODB_JOBS_TABLE: "x",
      SES_FROM: "noreply",
      AWS_ENDPOINT_URL: "localhost:4566",
    });
    for (const name of [
      "AWS_REGION",
      "S3_INPUTS_BUCKET",
      "S3_RESULTS_BUCKET",
      "GAS_AWS_PREFIX",
      "DYNAMODB_JOBS_TABLE",
      "SES_FROM",
      "AWS_ENDPOINT_URL",
    ]) {
      expect(m).toContain(`  ${name}:`);
    }
    expect(problems({ ...aws, S3_RESULTS_BUCKET: aws.S3_INPUTS_BUCKET })).toContain("S3_RESULTS_BUCKET: must differ from S3_INPUTS_BUCKET");
  });

  test("SMTP_URL can replace SES for mail", () => {
    const { SES_FROM: _, ...noSes } = aws;
    expect(loadConfig({ ...noSes, SMTP_URL: "smtp://mail.example.org" }).aws?.ses.from).toBeNull();
  });
});
