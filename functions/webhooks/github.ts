import { httpRoute } from "@kith/core/lambda";
import * as GitHub from "@kith/core/webhooks/github";
import { toResponse } from "@kith/core/webhooks/receive";
import { z } from "zod";

export const handler = httpRoute(
  { auth: "webhook", verify: ({ rawBody, headers }) => GitHub.verify(rawBody, headers), body: z.unknown() },
  async ({ body, headers }) => toResponse(await GitHub.handle(body, headers)),
);
