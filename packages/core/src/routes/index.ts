import * as ApiRoutes from "../api/routes";
import * as ContactRoutes from "../contacts/routes";
import * as DirectoryRoutes from "../directory/routes";
import * as EnrichmentRoutes from "../enrichment/routes";
import * as HealthRoutes from "../health/routes";
import * as IdentityRoutes from "../identity/routes";
import * as IntegrationRoutes from "../integrations/routes";
import * as JournalRoutes from "../journal/routes";
import * as MailboxRoutes from "../mailbox/routes";
import * as OrgRoutes from "../orgs/routes";
import * as RollupRoutes from "../rollup/routes";
import * as ScoringRoutes from "../scoring/routes";
import * as WebhookRoutes from "../webhooks/routes";

/**
 * Every route of the HTTP API, each declared once next to its module (`defineRoute`). The manifest
 * wires exactly this list, and the OpenAPI document describes exactly this list. Route files import
 * only schemas, so loading this list (as `sst.config.ts` does) loads no runtime code.
 */
export const routes = [
  ...HealthRoutes.all,
  ...ApiRoutes.all,
  ...JournalRoutes.all,
  ...OrgRoutes.all,
  ...IdentityRoutes.all,
  ...IntegrationRoutes.all,
  ...WebhookRoutes.all,
  ...DirectoryRoutes.all,
  ...EnrichmentRoutes.all,
  ...MailboxRoutes.all,
  ...RollupRoutes.all,
  ...ContactRoutes.all,
  ...ScoringRoutes.all,
] as const;
