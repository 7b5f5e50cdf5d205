import { defineRoute } from "../http/route";
import {
  ConnectionSchema,
  KeyConnectionInputSchema,
  KeyConnectionSchema,
  OverrideInputSchema,
  RulesSchema,
  TuneRulesInputSchema,
} from "./schemas";

/** Strength's routes (docs/api.md, "Contacts, strength and reachability"). */

/** The member themself, an admin of the org, or the operator; another member gets 403. */
const SELF_OR_ADMIN = { org: "admin", self: "userId" } as const;

export const setStrengthOverride = defineRoute({
  method: "PUT",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}/strength/{userId}",
  handler: "functions/http/set-strength-override.handler",
  auth: "bearer",
  access: SELF_OR_ADMIN,
  operationId: "setStrengthOverride",
  summary: "Override a member's strength tier with a contact (null clears it)",
  description:
    "By the member themself or an admin. The computed tier stays beside the override; every change is audited in the member's events (`strength_overridden`, from and to), and the contact's reachability is recomputed at once. The member must be on the collection's team (404 `member_not_found`); a member token must belong to the collection (404 `collection_not_found`).",
  tags: ["strength"],
  body: OverrideInputSchema,
  responses: { 200: { description: "The connection", schema: ConnectionSchema } },
  errors: [403, 404],
});

export const setKeyConnection = defineRoute({
  method: "PUT",
  path: "/v1/orgs/{orgId}/users/{userId}/key-connection",
  handler: "functions/http/set-key-connection.handler",
  auth: "bearer",
  access: SELF_OR_ADMIN,
  operationId: "setKeyConnection",
  summary: "Opt a member out of (or back into) being anyone's key connection",
  description:
    "An opted-out member still counts in reachability but is never the key connection. Audited (`key_connection_changed`); the reachability of the member's contacts is recomputed in the background.",
  tags: ["strength"],
  body: KeyConnectionInputSchema,
  responses: { 200: { description: "The member's choice", schema: KeyConnectionSchema } },
  errors: [403, 404],
});

export const getRules = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/rules",
  handler: "functions/http/get-rules.handler",
  auth: "bearer",
  access: { org: "member" },
  operationId: "getRules",
  summary: "The org's rule set: every clause, its thresholds, and whether it is active",
  tags: ["strength"],
  responses: { 200: { description: "The rule set", schema: RulesSchema } },
  errors: [404],
});

export const tuneRules = defineRoute({
  method: "PATCH",
  path: "/v1/orgs/{orgId}/rules",
  handler: "functions/http/tune-rules.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "tuneRules",
  summary: "Tune thresholds: a new rule set version, and every pair recomputed in the background",
  description:
    "`{thresholds: {<clause code>: {<name>: integer}}}`. Unknown clauses or thresholds, non-integers and values outside a threshold's `bounds` are a 400 naming `thresholds.<code>.<name>`; nothing is stored then.",
  tags: ["strength"],
  body: TuneRulesInputSchema,
  responses: { 200: { description: "The new rule set", schema: RulesSchema } },
  errors: [404],
});

export const all = [setStrengthOverride, setKeyConnection, getRules, tuneRules] as const;
