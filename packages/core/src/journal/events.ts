import * as z from "zod/mini";
import { defineEvent } from "../events/define";

/** System events: no org. */

export const Heartbeat = defineEvent(
  "system.heartbeat",
  z.object({ scheduledAt: z.string() }),
  "The 5-minute heartbeat: when it reaches the journal, schedule → table stream → bus → queue → consumer works.",
);

export const all = [Heartbeat] as const;
