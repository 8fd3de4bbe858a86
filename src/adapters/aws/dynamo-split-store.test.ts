/** The SplitStore contract on DynamoDB (dynalite started by this file), in a jobs table as `gas aws bootstrap` makes it. */
import { randomUUID } from "node:crypto";
import { deleteTable, emulatorFixture, emulatorName, startDynaliteEmulator, uniqueName } from "../../../test/support/aws-emulators.ts";
import { splitStoreContract } from "../../ports/split-store.contract.ts";
import { bootstrapJobTable } from "./aws-bootstrap.ts";
import { createDynamoSplitStore } from "./dynamo-split-store.ts";

const dynamo = emulatorFixture(startDynaliteEmulator);

splitStoreContract(`DynamoDB on ${emulatorName("dynalite")}`, async () => {
  const table = uniqueName("gas-jobs");
  await bootstrapJobTable(dynamo.clients, { table, userIndex: "user_id_index" });
  return {
    store: createDynamoSplitStore({ dynamodb: dynamo.clients.dynamodb, table }),
    // The items reference no job record on DynamoDB: any job id will do.
    makeJob: async () => randomUUID(),
    close: () => deleteTable(dynamo.clients, table),
  };
});
