import { readFile } from "node:fs/promises";
import path from "node:path";
import * as Api from "@kith/core/api";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";

/**
 * The console's typed API client is generated from the OpenAPI document the core builds from its
 * route declarations (the same document `GET /v1/openapi.json` serves), in-process: no server.
 * The generated file is committed, so the console's typecheck fails when an API change breaks it,
 * and `schema.unit.test.ts` fails when it is stale.
 */

/** Where the generated types live, committed. */
export const SCHEMA_PATH = path.resolve(import.meta.dirname, "../src/api/schema.d.ts");

/** The npm script that regenerates {@link SCHEMA_PATH}. */
export const REGENERATE_COMMAND = "npm run generate:api -w packages/console";

const HEADER = `/**
 * Generated from Kith's OpenAPI document (packages/core/src/api) by openapi-typescript.
 * Do not edit: run \`${REGENERATE_COMMAND}\`.
 */

`;

/** The types of the current OpenAPI document, as the committed file should read. */
export async function generateSchema(): Promise<string> {
  // openapi-typescript resolves $refs in place; hand it a copy of the cached document.
  const document = structuredClone(Api.document()) as unknown as OpenAPI3;
  const ast = await openapiTS(document, { alphabetize: false });
  return HEADER + astToString(ast);
}

/** The committed file's text, or undefined when it is missing. */
export async function committedSchema(): Promise<string | undefined> {
  return readFile(SCHEMA_PATH, "utf8").catch(() => undefined);
}
