import * as z from "zod/mini";

/** The `source` of every Kith domain event on the bus (mirrors `EVENT_SOURCE` in the manifest). */
export const SOURCE = "kith";

/** Event types are `noun.verb` (`user.created`, `webhook.received`): also the EventBridge `detail-type`. */
export const EVENT_TYPE = /^[a-z]+(\.[a-z_]+)+$/;

/**
 * What every domain event carries, whatever its type: the bus's `detail`. `data` is typed per
 * event by its definition (`defineEvent`); this base shape is what the outbox and the bus check.
 */
export const DomainEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  type: z.string().check(z.regex(EVENT_TYPE, "type looks like noun.verb")),
  occurredAt: z.iso.datetime(),
  orgId: z.nullable(z.string().check(z.minLength(1))),
  data: z.record(z.string(), z.unknown()),
});

/** A domain event of any type; `DomainEventOf` narrows it to one definition. */
export interface DomainEvent<Type extends string = string, Data = Record<string, unknown>> {
  id: string;
  type: Type;
  occurredAt: string;
  orgId: string | null;
  data: Data;
}

/** The envelope fields EventBridge wraps a `detail` in when it delivers to SQS or Lambda. */
export const envelopeFields = {
  version: z.string(),
  id: z.string(),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
};

/**
 * The envelope EventBridge delivers to SQS and Lambda targets, with any domain event as detail.
 * The local bus builds the same shape, so consumers parse one format in both runtimes.
 */
export const BusEnvelopeSchema = z.object({ ...envelopeFields, detail: DomainEventSchema });
export type BusEnvelope = z.infer<typeof BusEnvelopeSchema>;
