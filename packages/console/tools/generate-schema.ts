import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateSchema, SCHEMA_PATH } from "./schema";

/** `npm run generate:api -w packages/console`: rewrites src/api/schema.d.ts from the core's OpenAPI document. */
const schema = await generateSchema();
await mkdir(path.dirname(SCHEMA_PATH), { recursive: true });
await writeFile(SCHEMA_PATH, schema);
process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)} (${schema.length} characters)\n`);
