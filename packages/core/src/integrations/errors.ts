import { Conflict, KithError, NotFound } from "../util/errors";
import { PATH_ROUTED, type Provider } from "./schemas";

export class IntegrationExists extends Conflict {
  override readonly name = "IntegrationExists";
  constructor(provider: string, externalTenantId: string) {
    super(
      "integration_exists",
      PATH_ROUTED.includes(provider as Provider)
        ? `This org already has a ${provider} integration named "${externalTenantId}"`
        : `This ${provider} tenant is already connected to an org; delete that integration first`,
      { provider, externalTenantId },
    );
  }
}

export class IntegrationNotFound extends NotFound {
  override readonly name = "IntegrationNotFound";
  constructor() {
    super("Integration", "integration_not_found");
  }
}

/** The create request did not prove control of the tenant it claims (403; nothing is written). */
export class TenantNotProven extends KithError {
  override readonly name = "TenantNotProven";
  constructor(provider: string, externalTenantId: string, reason: string) {
    super(403, "tenant_not_proven", `Control of this ${provider} tenant is not proven: ${reason}`, {
      details: { provider, externalTenantId },
    });
  }
}
