export { ensureTable, localClient, startDynamoLocal } from "./dynamo";
export { LOCAL_TABLE_NAME, type Runtime, type RuntimeOptions, startRuntime } from "./runtime";
export { provisionQueue, sqsClient, startSqsEmulator } from "./sqs";
