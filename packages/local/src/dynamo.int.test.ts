import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { Storage } from "@kith/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName, useEmulators } from "../../../test/support/integration";
import { ensureTable, localClient } from "./dynamo";

describe("table bootstrap from the shared definition", () => {
  let client: ReturnType<typeof localClient>;
  const created: string[] = [];
  beforeAll(() => {
    client = localClient(useEmulators().dynamoEndpoint);
  });
  afterAll(async () => {
    for (const name of created) await client.send(new DeleteTableCommand({ TableName: name }));
    client.destroy();
  });

  it("creates the table with the definition's keys, every GSI and TTL on expiresAt, and is a no-op the second time", async () => {
    const name = uniqueName("boot");
    created.push(name);

    const first = await ensureTable(client, name);
    const second = await ensureTable(client, name);

    expect([first, second]).toEqual(["created", "unchanged"]);
    const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    expect(table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      Storage.tableDefinition.globalIndexes.map((index) => index.name).sort(),
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: "ENABLED",
      AttributeName: "expiresAt",
    });
  });

  it("brings an older table up to date by adding the GSIs it lacks", async () => {
    const name = uniqueName("old");
    created.push(name);
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );

    const outcome = await ensureTable(client, name);

    expect(outcome).toBe("updated");
    const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    expect(table?.GlobalSecondaryIndexes).toHaveLength(Storage.tableDefinition.globalIndexes.length);
  });
});
