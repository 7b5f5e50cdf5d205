import { httpRoute } from "@kith/core/lambda";
import * as Linear from "@kith/core/webhooks/linear";
import { toResponse } from "@kith/core/webhooks/receive";
import { z } from "zod";

export const handler = httpRoute(
  { auth: "webhook", verify: ({ rawBody, headers }) => Linear.verify(rawBody, headers), body: z.unknown() },
  async ({ body, headers }) => toResponse(await Linear.handle(body, headers)),
);
