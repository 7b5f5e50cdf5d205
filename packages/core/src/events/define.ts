import { monotonicFactory } from "ulid";
import * as z from "zod/mini";
import type * as core from "zod/v4/core";
import { type DomainEvent, EVENT_TYPE } from "./detail";

/**
 * A domain event, defined once next to the module that emits it (the sst/console `event(name,
 * schema)` pattern): its type, the zod schema of its `data`, and whose events they are. Emitting
 * (`create`) and consuming (`parse`) both go through the definition, so a producer cannot put on
 * the bus what its consumers would refuse.
 */
export interface EventDefinition<Type extends string = string, Data extends core.$ZodType = core.$ZodType> {
  readonly type: Type;
  readonly data: Data;
  /** One line for the API document: what happened. */
  readonly description: string;
  /** The whole `detail` of this event, with `type` as a literal: the discriminant of unions. */
  readonly schema: z.ZodMiniObject<{
    id: z.ZodMiniString;
    type: z.ZodMiniLiteral<Type>;
    occurredAt: z.ZodMiniISODateTime;
    orgId: z.ZodMiniNullable<z.ZodMiniString>;
    data: Data;
  }>;
  /** Builds an event with a new time-ordered id; `data` is checked against the schema. */
  create(orgId: string | null, data: z.input<Data>, at?: Date): DomainEvent<Type, z.output<Data>>;
  /** Parses a `detail` as this event; throws when it is another type or its data does not fit. */
  parse(detail: unknown): DomainEvent<Type, z.output<Data>>;
}

/** The event a definition creates and parses. */
export type EventOf<D extends EventDefinition> =
  D extends EventDefinition<infer T, infer S> ? DomainEvent<T, z.output<S>> : never;

const nextId = monotonicFactory();

/** Defines a domain event; ids are ULIDs, so events sort by time. */
export function defineEvent<const Type extends string, Data extends core.$ZodType>(
  type: Type,
  data: Data,
  description: string,
): EventDefinition<Type, Data> {
  if (!EVENT_TYPE.test(type)) throw new Error(`event type "${type}" does not look like noun.verb`);
  const schema = z
    .object({
      id: z.string().check(z.minLength(1)),
      type: z.literal(type),
      occurredAt: z.iso.datetime(),
      orgId: z.nullable(z.string().check(z.minLength(1))),
      data,
    })
    .register(z.globalRegistry, { id: `Event.${type}`, description });
  return {
    type,
    data,
    description,
    schema,
    create(orgId, input, at = new Date()) {
      return schema.parse({
        id: nextId(at.getTime()),
        type,
        occurredAt: at.toISOString(),
        orgId,
        data: input,
      }) as DomainEvent<Type, z.output<Data>>;
    },
    parse(detail) {
      return schema.parse(detail) as DomainEvent<Type, z.output<Data>>;
    },
  };
}

/**
 * A parser for any of the given events, by their `type`: what a consumer subscribed to several
 * events (or the journal, to all of them) parses each delivery with.
 */
export function eventUnion<const Definitions extends readonly EventDefinition[]>(definitions: Definitions) {
  const byType = new Map(definitions.map((definition) => [definition.type, definition]));
  if (byType.size !== definitions.length) throw new Error("two event definitions share a type");
  return {
    definitions,
    has: (type: string) => byType.has(type),
    /** Parses a `detail` by its type; an unknown type or data that does not fit throws. */
    parse(detail: unknown): EventOf<Definitions[number]> {
      const type = (detail as { type?: unknown } | null)?.type;
      const definition = typeof type === "string" ? byType.get(type) : undefined;
      if (!definition) throw new UnknownEvent(String(type));
      return definition.parse(detail) as EventOf<Definitions[number]>;
    },
  };
}

/** A detail whose type no definition in the union names: it can never be consumed, so it heads for the DLQ. */
export class UnknownEvent extends Error {
  override readonly name = "UnknownEvent";
  constructor(type: string) {
    super(`no definition for domain event type "${type}"`);
  }
}
