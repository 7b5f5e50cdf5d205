import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ensureTable, localClient, startDynamoLocal } from "@kith/local/dynamo";

/**
 * Why integration tables have no stream (docs/decisions.md, "Integration-test tables have no
 * stream"): DynamoDB Local keeps the stream records of every table, deleted tables included, and
 * a write to a streaming table slows with their total. One in-memory DynamoDB Local, as the
 * integration run has; a probe of 300 PutItems to a fresh table, with and without a stream, after
 * each round of 10 tables of 1,000 items written and deleted (every table made by `ensureTable`,
 * the shared definition: its GSIs and TTL, and a stream unless `stream: false`).
 *
 * `npm run bench -- dynamo-streams`.
 */
const ROUNDS = 3;
const TABLES_PER_ROUND = 10;
const ITEMS_PER_TABLE = 1_000;
const PROBE_PUTS = 300;

export async function run(): Promise<void> {
  for (const stream of [false, true]) {
    const dynamo = await startDynamoLocal();
    const client = localClient(dynamo.endpoint);
    const doc = DynamoDBDocumentClient.from(client);
    let sequence = 0;
    const table = async () => {
      const name = `bench-streams-${++sequence}`;
      await ensureTable(client, name, undefined, { stream });
      return name;
    };
    const probe = async (): Promise<number> => {
      const name = await table();
      const started = performance.now();
      for (let i = 0; i < PROBE_PUTS; i++) {
        await doc.send(
          new PutCommand({
            TableName: name,
            Item: { pk: `P#${i}`, sk: "S", gsi1pk: `G#${i % 10}`, gsi1sk: `${i}` },
          }),
        );
      }
      const elapsed = performance.now() - started;
      await client.send(new DeleteTableCommand({ TableName: name }));
      return elapsed;
    };
    try {
      const figures = [`fresh ${((await probe()) / 1000).toFixed(2)} s`];
      for (let round = 1; round <= ROUNDS; round++) {
        for (let t = 0; t < TABLES_PER_ROUND; t++) {
          const name = await table();
          for (let batch = 0; batch < ITEMS_PER_TABLE / 25; batch++) {
            await doc.send(
              new BatchWriteCommand({
                RequestItems: {
                  [name]: Array.from({ length: 25 }, (_, i) => ({
                    PutRequest: {
                      Item: {
                        pk: `P#${batch}#${i}`,
                        sk: "S",
                        gsi1pk: `G#${i}`,
                        gsi1sk: `${batch}`,
                        data: "x".repeat(300),
                      },
                    },
                  })),
                },
              }),
            );
          }
          await client.send(new DeleteTableCommand({ TableName: name }));
        }
        figures.push(`after ${round * TABLES_PER_ROUND} tables ${((await probe()) / 1000).toFixed(2)} s`);
      }
      console.log(
        `dynamo-streams: ${PROBE_PUTS} PutItems, tables ${stream ? "with" : "without"} a stream: ${figures.join(", ")}`,
      );
    } finally {
      client.destroy();
      await dynamo.stop();
    }
  }
}
