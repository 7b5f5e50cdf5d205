import * as Orgs from "../orgs";
import { type Actor, pathParameter, requireOrgAccess } from "./actor";

export interface OrgAccessRule {
  /** True: operator or the org's admins. False: any token of the org. */
  admin: boolean;
  /** A path parameter naming a user who may act on itself even without admin (e.g. `userId`). */
  selfParameter?: string;
  /** A member token naming another user than itself gets 404 rather than 403. */
  othersSeeNotFound?: boolean;
}

/**
 * An `authorize` hook for routes under `/v1/orgs/{orgId}`: the caller's access to the org is
 * checked before anything is validated or read. Operators reach every org, so for them the org
 * must also exist; a user token's org exists by construction.
 */
export function orgAccess(rule: OrgAccessRule) {
  return async ({
    actor,
    pathParameters,
  }: {
    actor: Actor | undefined;
    pathParameters: Record<string, string | undefined>;
  }): Promise<void> => {
    const orgId = pathParameter(pathParameters, "orgId");
    const self = rule.selfParameter ? pathParameters[rule.selfParameter] : undefined;
    requireOrgAccess(
      actor,
      orgId,
      rule.admin ? { admin: true, self, othersSeeNotFound: rule.othersSeeNotFound } : { admin: false },
    );
    if (actor?.kind === "operator" && !(await Orgs.find(orgId))) throw new Orgs.OrgNotFound();
  };
}
