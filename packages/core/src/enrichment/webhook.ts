import { Webhook, WebhookVerificationError } from "standardwebhooks";
import * as z from "zod/mini";
import { secret } from "../config";
import * as Queues from "../queues";
import { InvalidInput, Unauthenticated } from "../util/errors";
import { logger } from "../util/logger";
import { cachedEmailsOfPerson, invalidateEmails, normalizeEmail } from "./cache";
import { ENRICHMENT_QUEUE, type EnrichmentJob } from "./jobs";

/**
 * F7: Findem tells us a person's profile changed (Standard Webhooks: `webhook-id`,
 * `webhook-timestamp` within 5 minutes, `webhook-signature` under `FINDEM_WEBHOOK_SECRET`). The
 * cached answers for the person's emails (those in the delivery and those cached under the
 * person's id) are dropped at once; re-resolving those emails in every org that used them, and
 * refreshing the stored profile, run on the enrichment queue.
 */

const HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

export async function verifyFindemWebhook(rawBody: string, headers: Record<string, string | undefined>) {
  const signingSecret = await secret("FINDEM_WEBHOOK_SECRET");
  const refused = () => new Unauthenticated("Missing or invalid webhook signature");
  if (!signingSecret) throw refused();
  const signed: Record<string, string> = {};
  for (const name of HEADERS) {
    const value = headers[name];
    if (!value) throw refused();
    signed[name] = value;
  }
  try {
    new Webhook(signingSecret).verify(rawBody, signed);
  } catch (error) {
    if (error instanceof WebhookVerificationError || error instanceof Error) throw refused();
    throw error;
  }
}

export const FindemWebhookSchema = z.object({
  type: z.string(),
  data: z.optional(
    z.object({
      findemId: z.string().check(z.minLength(1)),
      linkedinHandle: z.optional(z.nullable(z.string())),
      emails: z.optional(z.array(z.string())),
    }),
  ),
});
export type FindemWebhook = z.infer<typeof FindemWebhookSchema>;

export interface ProfileUpdateOutcome {
  outcome: "processed" | "ignored";
  invalidated: number;
  reresolutions: number;
}

/** A verified delivery: a malformed body is a 400 before anything is changed. */
export async function acceptProfileUpdate(raw: unknown): Promise<ProfileUpdateOutcome> {
  const parsed = FindemWebhookSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInput("Not a Findem webhook body: {type, data: {findemId, emails}}");
  const body = parsed.data;
  if (body.type !== "profile.updated" || !body.data)
    return { outcome: "ignored", invalidated: 0, reresolutions: 0 };
  const { findemId } = body.data;
  const emails = [...(body.data.emails ?? []).map(normalizeEmail), ...(await cachedEmailsOfPerson(findemId))];
  const gone = await invalidateEmails(emails);
  const jobs: EnrichmentJob[] = [{ kind: "person", findemId }];
  for (const { email, orgs } of gone) {
    for (const orgId of orgs) jobs.push({ kind: "resolve", orgId, email });
  }
  await Queues.sendBatch(
    ENRICHMENT_QUEUE,
    jobs.map((job) => ({ body: job })),
  );
  logger.info("findem profile update", { invalidated: gone.length, reresolutions: jobs.length - 1 });
  return { outcome: "processed", invalidated: gone.length, reresolutions: jobs.length - 1 };
}
