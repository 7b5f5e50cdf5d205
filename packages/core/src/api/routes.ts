import { defineRoute } from "../http/route";

export const getOpenApiDocument = defineRoute({
  method: "GET",
  path: "/v1/openapi.json",
  handler: "functions/http/openapi.handler",
  auth: "none",
  operationId: "getOpenApiDocument",
  summary: "This document",
  tags: ["system"],
  responses: { 200: { description: "The OpenAPI 3.1 document" } },
});

export const all = [getOpenApiDocument] as const;
