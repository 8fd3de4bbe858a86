/**
 * `gas aws bootstrap`: create the buckets, topics, queues (with dead-letter queues and
 * raw-delivery subscriptions) and the job table with its index, from the same environment the
 * service reads (GAS_BACKEND=aws …). Safe to run again: it only adds what is missing and puts
 * queue attributes and lifecycle rules back to src/ports/messaging-topology.ts's (as Ansible
 * sets them). Prints what exists as JSON (ARNs and URLs) and what this run created.
 *
 * `gas aws recount-jobs`: set the jobs table's status counters (the jobs-by-status gauge) to a
 * count of its jobs, with the operator's credentials (it Scans, which no role may).
 */
import { ConfigError, loadConfig } from "../../config.ts";
import { QUEUE_SETTINGS } from "../../ports/messaging-topology.ts";
import { bootstrapAws } from "./aws-bootstrap.ts";
import { createAwsClients } from "./aws-clients.ts";
import { recountJobStatuses } from "./dynamo-job-store.ts";

const USAGE = "usage: GAS_BACKEND=aws AWS_REGION=… S3_INPUTS_BUCKET=… S3_RESULTS_BUCKET=… SES_FROM=… gas aws bootstrap|recount-jobs";

/** Run `gas aws <args>`; returns the exit code. */
export async function runAwsCli(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const command = args[0];
  if ((command !== "bootstrap" && command !== "recount-jobs") || args.length > 1) {
    console.error(args[0] === "help" || args.length === 0 ? USAGE : `gas aws: unknown command ${JSON.stringify(args.join(" "))}\n${USAGE}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`gas aws ${command}: ${err.message}`);
    return 78; // EX_CONFIG
  }
  if (!config.aws) {
    console.error(`gas aws ${command}: GAS_BACKEND is not aws\n${USAGE}`);
    return 78;
  }
  if (command === "recount-jobs") {
    const clients = createAwsClients({ region: config.aws.region, endpoint: config.aws.endpoint, endpoints: config.aws.endpoints });
    try {
      console.log(JSON.stringify(await recountJobStatuses(clients.dynamodb, config.aws.resources.table)));
      return 0;
    } catch (err) {
      console.error(`gas aws recount-jobs: ${(err as Error).name}: ${(err as Error).message}`);
      return 1;
    } finally {
      clients.destroy();
    }
  }
  if (config.queue.maxAttempts !== QUEUE_SETTINGS.maxReceives) {
    // The queues' redrive count is the topology's; the service's attempts must match it on SQS.
    console.error(
      `gas aws bootstrap: warning: QUEUE_MAX_ATTEMPTS is ${config.queue.maxAttempts} but the queues dead-letter after ${QUEUE_SETTINGS.maxReceives} receives (src/ports/messaging-topology.ts); unset it for GAS_BACKEND=aws`,
    );
  }
  const clients = createAwsClients({ region: config.aws.region, endpoint: config.aws.endpoint, endpoints: config.aws.endpoints });
  try {
    const report = await bootstrapAws(clients, config.aws.resources);
    console.log(JSON.stringify(report, null, 2));
    return 0;
  } catch (err) {
    console.error(`gas aws bootstrap: ${(err as Error).name}: ${(err as Error).message}`);
    return 1;
  } finally {
    clients.destroy();
  }
}
