import { google } from "./google";
import { microsoft } from "./microsoft";
import type { OAuthProvider } from "./provider";
import type { MailboxProvider } from "./schemas";

/** Both providers: for the routes that may talk to either (connect, scope changes, disconnect). */
export const providers: Record<MailboxProvider, OAuthProvider> = { google, microsoft };
