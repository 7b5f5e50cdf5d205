import type { SandboxClock } from "./workos-clock";
import { clone, type RawEvent } from "./workos-wire";

/** An event to push as is; `id` defaults to the next event id and `created_at` to the sandbox clock. */
export interface AppendEventInput {
  event: string;
  data: Record<string, unknown>;
  id?: string;
  created_at?: string;
  context?: Record<string, unknown>;
}

/** The event stream behind `GET /events`: what the directory emitted plus what tests appended. */
export class EventLog {
  /** Sorted by id; ties (duplicates pushed through append) keep insertion order. */
  private readonly log: RawEvent[] = [];

  constructor(private readonly clock: SandboxClock) {}

  /** Live entries: the API filters and copies only what it serves. */
  get entries(): readonly RawEvent[] {
    return this.log;
  }

  /** Records an event whose data is a snapshot: later changes to the object must not rewrite history. */
  emit(event: string, data: object): void {
    this.insert({
      object: "event",
      id: this.clock.newId("event"),
      event,
      data: clone(data) as Record<string, unknown>,
      created_at: this.clock.stamp(),
    });
  }

  append(input: AppendEventInput): RawEvent {
    const event: RawEvent = {
      object: "event",
      id: input.id ?? this.clock.newId("event"),
      event: input.event,
      data: clone(input.data),
      created_at: input.created_at ?? this.clock.stamp(),
      ...(input.context ? { context: clone(input.context) } : {}),
    };
    this.insert(event);
    return clone(event);
  }

  private insert(event: RawEvent): void {
    // Generated ids only grow, so this is a push; appended ids may land anywhere.
    let index = this.log.length;
    while (index > 0 && (this.log[index - 1] as RawEvent).id > event.id) index -= 1;
    this.log.splice(index, 0, event);
  }
}
