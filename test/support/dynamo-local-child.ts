// Run by packages/local/src/dynamo-supervision.int.test.ts as its own Node process
// (`node --import tsx test/support/dynamo-local-child.ts`): starts DynamoDB Local through the
// runtime's own code, prints the JVM's pid and port as one JSON line, then waits to be killed.
import { startDynamoLocal } from "@kith/local/dynamo";

const dynamo = await startDynamoLocal();
process.stdout.write(`${JSON.stringify({ jvmPid: dynamo.process.pid, port: dynamo.port })}\n`);
setInterval(() => undefined, 60_000);
