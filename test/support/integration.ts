import { randomBytes } from "node:crypto";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { ensureTable, localClient } from "../../packages/local/src/dynamo";
import { sqsClient } from "../../packages/local/src/sqs";

/** A short random suffix, so every test gets resources nobody else touches. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/**
 * Points the process's AWS SDK clients at the shared emulators. Core code reads the same
 * variables in Lambda, so nothing under test knows it runs locally.
 */
export function useEmulators(): { dynamoEndpoint: string; sqsEndpoint: string } {
  const dynamoEndpoint = inject("dynamoEndpoint");
  const sqsEndpoint = inject("sqsEndpoint");
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoEndpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqsEndpoint;
  return { dynamoEndpoint, sqsEndpoint };
}

/** Creates a fresh table from the shared definition and makes it the one core code uses; call it per test for isolation. */
export async function useFreshTable(): Promise<{ tableName: string; drop: () => Promise<void> }> {
  const { dynamoEndpoint } = useEmulators();
  const tableName = uniqueName("kith-test");
  const client = localClient(dynamoEndpoint);
  await ensureTable(client, tableName);
  process.env.KITH_TABLE_NAME = tableName;
  return {
    tableName,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}

export function testSqsClient() {
  return sqsClient(useEmulators().sqsEndpoint);
}
