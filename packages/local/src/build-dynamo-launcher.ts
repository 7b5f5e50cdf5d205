// `npm run build:dynamo-launcher`: recompiles packages/local/java/LoopbackDynamoDBLocal.java (needs a
// JDK 17+) and rewrites its committed class file and checksums. Commit all three together.
import { relative } from "node:path";
import { buildLauncher } from "./dynamo-launcher";

const { classFile, checksums } = buildLauncher(process.env.JAVAC ?? "javac");
console.log(`wrote ${relative(process.cwd(), classFile)} and ${relative(process.cwd(), checksums)}`);
