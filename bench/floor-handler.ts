import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";

/**
 * The floor of `bench/bundles.ts`: the least a Kith function that reads DynamoDB can carry (the
 * document client over the DynamoDB client, with the SDK's default credential chain, bundled with
 * SST's stock props). Creating the client reaches nothing; only the handler sends. Bundled by the
 * bench and the budget test only, never deployed.
 */
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: { id?: string }) => {
  const { Item } = await client.send(
    new GetCommand({ TableName: process.env.KITH_TABLE_NAME, Key: { pk: event.id ?? "floor", sk: "floor" } }),
  );
  return { found: Item !== undefined };
};
