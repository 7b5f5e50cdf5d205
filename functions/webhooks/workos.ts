import * as Directory from "@kith/core/directory";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Directory.Routes.workos, {
  verify: ({ rawBody, headers }) =>
    Directory.verifyWebhook(rawBody.toString("utf8"), headers["workos-signature"]),
})(async ({ body }) => {
  await Directory.acceptWebhook(body);
  return { status: 200, body: { received: true } };
});
