/**
 * IAM on moto 5.2.5 with enforcement on (INITIAL_NO_AUTH_ACTION_COUNT): the policy adaptation
 * moto needs to evaluate the playbook's policies, and how its denials look through the SDK.
 * Shared by test/aws-iam-enforced.test.ts (the adapters' calls) and test/aws-iam.e2e.test.ts (the
 * roles as processes); the first one's header says what moto does and does not enforce.
 */
import type { PolicyDocument } from "../../ansible/scripts/topology/iam-checks.ts";

/** Services whose requests moto authorizes against "*" (resources are checked for S3 and SQS only). */
const RESOURCE_UNCHECKED = /^(sns|dynamodb|ses|monitoring|autoscaling):/;

/**
 * SQS's batch calls are authorized on AWS by the single call's permission (the SQS developer
 * guide's "Amazon SQS API permissions" table: ChangeMessageVisibilityBatch needs
 * sqs:ChangeMessageVisibility); moto asks for an action named after the batch call.
 */
const SQS_BATCH_ACTIONS: Record<string, string> = {
  "sqs:ChangeMessageVisibility": "sqs:ChangeMessageVisibilityBatch",
  "sqs:DeleteMessage": "sqs:DeleteMessageBatch",
  "sqs:SendMessage": "sqs:SendMessageBatch",
};

/**
 * The rendered policy as moto can evaluate it: no conditions (moto evaluates them without a
 * request context, so a conditioned Allow denies); "*" where moto checks no resource (whole
 * services, and sqs:GetQueueUrl, whose queue moto looks for in a QueueUrl the request does not
 * have); CloudWatch's actions under moto's name for them, the signing name "monitoring"; SQS's
 * batch calls under their own names beside the single calls that allow them on AWS.
 */
export function forMoto(doc: PolicyDocument): PolicyDocument {
  const statements = [doc.Statement ?? []].flat().flatMap((s) => {
    const { Condition: _dropped, ...rest } = s;
    const actions = [s.Action ?? []]
      .flat()
      .map((a) => a.replace(/^cloudwatch:/, "monitoring:"))
      .flatMap((a) => (SQS_BATCH_ACTIONS[a] ? [a, SQS_BATCH_ACTIONS[a]] : [a]));
    if (actions.every((a) => RESOURCE_UNCHECKED.test(a))) return [{ ...rest, Action: actions, Resource: "*" }];
    const getUrl = actions.filter((a) => a === "sqs:GetQueueUrl");
    const others = actions.filter((a) => a !== "sqs:GetQueueUrl");
    return [
      ...(others.length > 0 ? [{ ...rest, Action: others }] : []),
      ...(getUrl.length > 0 ? [{ ...rest, Sid: `${rest.Sid ?? ""}GetQueueUrl`, Action: getUrl, Resource: "*" }] : []),
    ];
  });
  return { ...doc, Statement: statements };
}

/** The HTTP status of an SDK error (moto's denials of JSON-protocol calls are XML the SDK cannot parse: only the status tells). */
export const statusOf = (err: unknown): number | undefined => {
  const e = err as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number }; cause?: unknown };
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode ?? (e.cause ? statusOf(e.cause) : undefined);
};

/** Whether an SDK call failed because IAM refused it. */
export const denied = (err: unknown) =>
  statusOf(err) === 403 || /AccessDenied|not authorized/i.test(`${(err as Error).name} ${(err as Error).message}`);

/** Runs named steps, collecting each failure as "step: status ErrorName: message" instead of stopping. */
export async function runSteps(steps: [string, () => Promise<unknown>][]): Promise<string[]> {
  const failures: string[] = [];
  for (const [name, fn] of steps) {
    try {
      await fn();
    } catch (err) {
      const e = err as Error;
      failures.push(`${name}: ${statusOf(err) ?? ""} ${e.name}: ${e.message.split("\n")[0]!.slice(0, 200)}`);
    }
  }
  return failures;
}
