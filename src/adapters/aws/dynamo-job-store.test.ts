/**
 * The JobStore contract on DynamoDB, against dynalite started by this file. Each test gets its
 * own table (made by `bootstrapJobTable`, as `gas aws bootstrap` does) and deletes it afterwards.
 * Accounts stay in PostgreSQL on every backend and the table has no foreign keys, so a user is
 * just a fresh id here.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { DeleteItemCommand, DescribeTableCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { jobStoreContract } from "../../ports/job-store.contract.ts";
import {
  deleteTable,
  emulatorName,
  externalEndpoint,
  startDynaliteEmulator,
  emulatorFixture,
  uniqueName,
} from "../../../test/support/aws-emulators.ts";
import { bootstrapJobTable } from "./aws-bootstrap.ts";
import { COUNTER_SHARDS, createDynamoJobStore, recountJobStatuses } from "./dynamo-job-store.ts";

const dynamo = emulatorFixture(startDynaliteEmulator);

async function openStore() {
  const table = uniqueName("gas-jobs");
  const resources = { table, userIndex: "user_id_index" };
  await bootstrapJobTable(dynamo.clients, resources);
  const store = createDynamoJobStore({
    dynamodb: dynamo.clients.dynamodb,
    ...resources,
    buckets: { inputs: "gas-inputs", results: "gas-results" },
  });
  return { store, table, makeUser: async () => randomUUID(), close: () => deleteTable(dynamo.clients, table) };
}

jobStoreContract(`DynamoDB on ${emulatorName("dynalite")}`, openStore, {
  // moto evaluates a ConditionExpression and writes without a lock across its request threads,
  // so two of eight concurrent conditional claims sometimes both succeed (DynamoDB: exactly one).
  // The per-user cap is soft on DynamoDB (ClaimOptions): concurrent claims of one user's jobs may pass it.
  skip: externalEndpoint
    ? {
        reason: "moto's conditional writes are not atomic under concurrency; the per-user cap is soft on DynamoDB",
        tests: ["concurrent claims: exactly one wins", "concurrent claims of one user's jobs never pass the cap"],
      }
    : { reason: "the per-user cap is soft on DynamoDB", tests: ["concurrent claims of one user's jobs never pass the cap"] },
});

describe("DynamoDB specifics", () => {
  test("the item keeps the original's attribute names and types; the table has the user_id + submit_time index", async () => {
    const h = await openStore();
    try {
      const id = randomUUID();
      const submitTime = new Date("2026-03-01T12:00:00.250Z");
      await h.store.create({ id, userId: "u1", inputFileName: "a.vcf", inputKey: `u1/${id}~a.vcf`, submitTime });
      const { Item } = await dynamo.clients.dynamodb.send(new GetItemCommand({ TableName: h.table, Key: { job_id: { S: id } } }));
      expect(Item).toMatchObject({
        job_id: { S: id },
        user_id: { S: "u1" },
        input_file_name: { S: "a.vcf" },
        s3_key_input_file: { S: `u1/${id}~a.vcf` },
        s3_inputs_bucket: { S: "gas-inputs" },
        submit_time: { N: String(submitTime.getTime() / 1000) },
        job_status: { S: "PENDING" },
      });
      expect((await h.store.get(id))?.submitTime).toEqual(submitTime);
      const t = await dynamo.clients.dynamodb.send(new DescribeTableCommand({ TableName: h.table }));
      expect(t.Table?.BillingModeSummary?.BillingMode ?? "PAY_PER_REQUEST").toBe("PAY_PER_REQUEST");
      expect(t.Table?.GlobalSecondaryIndexes?.[0]?.KeySchema).toEqual([
        { AttributeName: "user_id", KeyType: "HASH" },
        { AttributeName: "submit_time", KeyType: "RANGE" },
      ]);
      const created: string[] = [];
      await bootstrapJobTable(dynamo.clients, { table: h.table, userIndex: "user_id_index" }, created);
      expect(created).toEqual([]); // idempotent
    } finally {
      await h.close();
    }
  });

  test("listByUser pages through the index (more jobs than one query page) and honours limit", async () => {
    const h = await openStore();
    try {
      const base = Date.now() - 1_000_000;
      const ids: string[] = [];
      for (let i = 0; i < 230; i++) {
        const id = randomUUID();
        ids.push(id);
        await h.store.create({
          id,
          userId: "many",
          inputFileName: "a.vcf",
          inputKey: `many/${id}~a.vcf`,
          submitTime: new Date(base + i * 1000),
        });
      }
      const all = await h.store.listByUser("many");
      expect(all.map((j) => j.id)).toEqual(ids.toReversed());
      expect((await h.store.listByUser("many", { limit: 150 })).map((j) => j.id)).toEqual(ids.toReversed().slice(0, 150));
    } finally {
      await h.close();
    }
  }, 30_000);

  test("complete without a rows file removes the attribute; progress and summary round-trip as maps", async () => {
    const h = await openStore();
    try {
      const id = randomUUID();
      await h.store.create({ id, userId: "u", inputFileName: "a.vcf", inputKey: `u/${id}~a.vcf`, submitTime: new Date() });
      await h.store.claim(id, "t", 60);
      await h.store.reportProgress(id, "t", { records: 3, bytesRead: 30, totalBytes: 90 });
      const summary = {
        records: 3,
        alleles: 3,
        known: 1,
        novel: 2,
        skipped: 0,
        byMostSevere: {},
        byConsequence: { "5_prime_UTR_variant": 1 },
        byImpact: { MODIFIER: 1 },
        warnings: ["line 7: REF does not match"],
        warningsTotal: 1,
        seconds: 0.25,
        variantsPerSecond: 12.5,
      };
      expect(await h.store.complete(id, "t", { resultKey: "r", logKey: "l", rowsKey: null, summary })).toBe(true);
      const job = await h.store.get(id);
      expect(job).toMatchObject({ status: "COMPLETED", rowsKey: null, summary, progress: { records: 3, bytesRead: 30, totalBytes: 90 } });
    } finally {
      await h.close();
    }
  });

  test("job counts come from counter items (a few GetItems, no Scan), which the user index leaves out", async () => {
    const h = await openStore();
    try {
      const ids = Array.from({ length: 30 }, () => randomUUID());
      for (const id of ids)
        await h.store.create({ id, userId: "u", inputFileName: "a.vcf", inputKey: `u/${id}~a.vcf`, submitTime: new Date() });
      for (const id of ids.slice(0, 10)) await h.store.claim(id, "t", 60);
      const sent: string[] = [];
      dynamo.clients.dynamodb.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push(String(context.commandName));
          return next(args);
        },
        { step: "initialize", name: "recordCommands" },
      );
      try {
        expect(await h.store.countByStatus()).toEqual({ PENDING: 20, RUNNING: 10, COMPLETED: 0, FAILED: 0 });
      } finally {
        dynamo.clients.dynamodb.middlewareStack.remove("recordCommands");
      }
      expect(sent).toEqual(Array(COUNTER_SHARDS).fill("GetItemCommand"));
      // The counters live in the table but not in any user's list or usage.
      expect(await h.store.listByUser("u")).toHaveLength(30);
      expect((await h.store.pageByUser("u", { limit: 100 })).jobs.every((j) => (ids as string[]).includes(j.id))).toBe(true);
    } finally {
      await h.close();
    }
  });

  test("recount-jobs sets the counters from the table (jobs from before counters, or a crash between writes)", async () => {
    const h = await openStore();
    try {
      const ids = Array.from({ length: 5 }, () => randomUUID());
      for (const id of ids)
        await h.store.create({ id, userId: "u", inputFileName: "a.vcf", inputKey: `u/${id}~a.vcf`, submitTime: new Date() });
      await h.store.claim(ids[0]!, "t", 60);
      await h.store.fail(ids[1]!, null, "bad");
      // A table whose counters are gone (or never were): every shard deleted.
      for (let i = 0; i < COUNTER_SHARDS; i++)
        await dynamo.clients.dynamodb.send(new DeleteItemCommand({ TableName: h.table, Key: { job_id: { S: `#job-counts#${i}` } } }));
      expect(await h.store.countByStatus()).toEqual({ PENDING: 0, RUNNING: 0, COMPLETED: 0, FAILED: 0 });
      const counted = { PENDING: 3, RUNNING: 1, COMPLETED: 0, FAILED: 1 };
      expect(await recountJobStatuses(dynamo.clients.dynamodb, h.table)).toEqual(counted);
      expect(await h.store.countByStatus()).toEqual(counted);
      expect(await recountJobStatuses(dynamo.clients.dynamodb, h.table)).toEqual(counted); // counters are not jobs
      await h.store.claim(ids[2]!, "t", 60);
      expect(await h.store.countByStatus()).toEqual({ ...counted, PENDING: 2, RUNNING: 2 });
    } finally {
      await h.close();
    }
  });
});
