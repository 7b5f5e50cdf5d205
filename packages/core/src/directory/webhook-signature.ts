import { createHmac, timingSafeEqual } from "node:crypto";
import { secret } from "../config";
import { Unauthenticated } from "../util/errors";

/** Signatures older (or further in the future) than this are refused: WorkOS's own default, 3 minutes. */
export const SIGNATURE_TOLERANCE_MS = 180_000;

const refused = () => new Unauthenticated("Missing or invalid WorkOS-Signature");

/**
 * Checks `WorkOS-Signature: t=<ms>, v1=<hex>` as WorkOS documents it and its SDK verifies it: the
 * HMAC-SHA256 (hex) of `<t>.<raw body>` under the webhook secret, compared in constant time, with
 * `t` within 3 minutes of now (the SDK only refuses old timestamps; one from the future is refused
 * too). Hand-written instead of `@workos-inc/node`'s `webhooks.verifyHeader` because that SDK is
 * ~200 KB in a function whose only other work is one SQS message (docs/decisions.md); the unit
 * test holds it to the SDK's verdict on the same headers.
 */
export function verifyWorkOSSignature(
  rawBody: string,
  signatureHeader: string | undefined,
  webhookSecret: string,
  now = Date.now(),
): void {
  if (!signatureHeader) throw refused();
  const fields = new Map<string, string>();
  for (const part of signatureHeader.split(",")) {
    const at = part.indexOf("=");
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const timestamp = fields.get("t") ?? "";
  const signature = fields.get("v1") ?? "";
  if (!/^\d{1,16}$/.test(timestamp) || !/^[0-9a-f]{64}$/i.test(signature)) throw refused();
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_TOLERANCE_MS) throw refused();
  const expected = createHmac("sha256", webhookSecret).update(`${timestamp}.${rawBody}`, "utf8").digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) throw refused();
}

/** Verifies a WorkOS delivery against the `WORKOS_WEBHOOK_SECRET` secret; a 401 when it does not hold. */
export async function verifyWebhook(rawBody: string, signatureHeader: string | undefined): Promise<void> {
  const webhookSecret = await secret("WORKOS_WEBHOOK_SECRET");
  if (!webhookSecret) throw refused();
  verifyWorkOSSignature(rawBody, signatureHeader, webhookSecret);
}
