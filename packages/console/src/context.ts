import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Schemas } from "./api/client";

/** Who is signed in, the org being looked at, and its people by id (for names beside user ids). */
export interface Session {
  me: Schemas["WhoAmI"];
  orgId: string;
  /** An operator, or an admin of this org: may act on everything in it. */
  admin: boolean;
  users: ReadonlyMap<string, Schemas["User"]>;
  reloadUsers: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}

/** A user's name when known, else the id. */
export function userName(session: Session, userId: string | null | undefined): string {
  if (!userId) return "—";
  return session.users.get(userId)?.name ?? userId;
}
