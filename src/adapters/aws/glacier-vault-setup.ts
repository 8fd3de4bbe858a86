/**
 * Wiring for ARCHIVE_VAULT=glacier: the Glacier client, the vault adapter built from the AWS
 * settings (aws-ports.ts), and what `gas aws bootstrap` sets up for it (aws-bootstrap.ts): the
 * vault and the `archive.restored` topic's permission for Glacier to publish job completions.
 */
import { CreateVaultCommand, GlacierClient } from "@aws-sdk/client-glacier";
import { ListTopicsCommand, type SNSClient } from "@aws-sdk/client-sns";
import { allowServicePublish } from "./sns-topic-policy.ts";
import type { ArchiveVault } from "../../ports/archive-vault.ts";
import { createGlacierArchiveVault } from "./glacier-archive-vault.ts";
import { topicResourceName } from "./aws-resources.ts";

/** Topic ARN by name: SNS has no lookup by name, so ListTopics is paged until it appears. */
export async function findTopicArn(sns: SNSClient, name: string): Promise<string> {
  let token: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken: token }));
    const hit = page.Topics?.find((t) => t.TopicArn?.slice(t.TopicArn.lastIndexOf(":") + 1) === name);
    if (hit?.TopicArn) return hit.TopicArn;
    token = page.NextToken;
  } while (token);
  throw new Error(`SNS topic ${name} does not exist; create it with \`gas aws bootstrap\``);
}

/** The Glacier vault adapter and its client (closed by `destroy`). */
export function createGlacierVaultFromSettings(opts: {
  region: string;
  /** AWS_ENDPOINT_URL_GLACIER, else AWS_ENDPOINT_URL; null on AWS. */
  endpoint: string | null;
  vault: string;
  prefix: string;
  sns: SNSClient;
}): { vault: ArchiveVault; destroy(): void } {
  const glacier = new GlacierClient({ region: opts.region, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
  const vault = createGlacierArchiveVault({
    glacier,
    vault: opts.vault,
    topicArn: () => findTopicArn(opts.sns, topicResourceName(opts.prefix, "archive.restored")),
  });
  return { vault, destroy: () => glacier.destroy() };
}

/**
 * Create the vault (CreateVault answers 201 for an existing one too) and let Glacier publish job
 * completions of this account to the `archive.restored` topic. Replaces the topic's policy,
 * as the S3 restore notifications do (one archive vault per deployment).
 */
export async function bootstrapGlacierVault(glacier: GlacierClient, sns: SNSClient, vault: string, topicArn: string): Promise<void> {
  await glacier.send(new CreateVaultCommand({ accountId: "-", vaultName: vault }));
  const account = topicArn.split(":")[4] ?? "";
  await allowServicePublish(sns, topicArn, {
    sid: "gas-glacier-job-notifications",
    service: "glacier.amazonaws.com",
    condition: { StringEquals: { "aws:SourceOwner": account } },
  });
}
