import type { Actor } from "../http/actor";
import type { WhoAmI } from "./schemas";
import { get } from "./users";

/** The contract's `/v1/whoami`: who the caller is, and for a user token, its user. */
export async function whoAmI(actor: Actor): Promise<WhoAmI> {
  switch (actor.kind) {
    case "operator":
      return { actor: actor.actor, kind: "operator", orgId: null, user: null };
    case "user":
      return {
        actor: actor.actor,
        kind: "user",
        orgId: actor.orgId,
        user: await get(actor.orgId, actor.userId),
      };
    case "system":
      // System actors (webhook pipelines, schedules) never authenticate over HTTP.
      throw new Error(`system actor ${actor.actor} cannot describe itself over HTTP`);
  }
}
