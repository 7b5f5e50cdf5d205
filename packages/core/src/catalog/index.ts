import * as ContactEvents from "../contacts/events";
import * as EnrichmentEvents from "../enrichment/events";
import { eventUnion } from "../events/define";
import * as IdentityEvents from "../identity/events";
import * as IntegrationEvents from "../integrations/events";
import * as SystemEvents from "../journal/events";
import * as MailboxEvents from "../mailbox/events";
import * as OrgEvents from "../orgs/events";
import * as RollupEvents from "../rollup/events";
import * as ScoringEvents from "../scoring/events";
import * as WebhookEvents from "../webhooks/events";

/**
 * Every domain event Kith publishes, each defined once next to its module. The journal parses
 * every delivery with it, and the API document lists it, so an event that is not here cannot be
 * consumed or documented.
 */
export const domainEvents = eventUnion([
  ...OrgEvents.all,
  ...IdentityEvents.all,
  ...IntegrationEvents.all,
  ...WebhookEvents.all,
  ...MailboxEvents.all,
  ...ContactEvents.all,
  ...RollupEvents.all,
  ...ScoringEvents.all,
  ...EnrichmentEvents.all,
  ...SystemEvents.all,
]);

/** Any event of the catalog, typed by its `type`. */
export type KithEvent = ReturnType<typeof domainEvents.parse>;
