import { logger } from "../util/logger";
import { type DomainEvent, publish } from "./index";

let warnedNoBus = false;

/**
 * Publishes the events of a unit of work whose write has already committed. The write is the
 * source of truth and cannot be undone here, so a publish failure (after `publish`'s own retries)
 * is logged with the event ids for an operator instead of failing a request that did succeed.
 * Without a configured bus (a unit of core code run on its own) there is nowhere to publish.
 */
export async function publishAfterCommit(events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (!process.env.KITH_EVENT_BUS_NAME) {
    if (!warnedNoBus) logger.warn("KITH_EVENT_BUS_NAME is not set; domain events are not published");
    warnedNoBus = true;
    return;
  }
  try {
    await publish(events);
  } catch (error) {
    logger.error("domain events were not published after commit", {
      error,
      eventIds: events.map((event) => event.id),
      types: events.map((event) => event.type),
    });
  }
}
