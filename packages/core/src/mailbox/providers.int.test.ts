import { googleSandboxEnv, microsoftSandboxEnv } from "@kith/local/mailbox-providers";
import { GoogleSandbox, MicrosoftSandbox } from "@kith/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { answerCallback } from "./callback-page";
import { InvalidOAuthState, OAuthDenied, ProviderRefused, ProviderUnavailable } from "./errors";
import { google } from "./google";
import { microsoft } from "./microsoft";
import type { OAuthProvider } from "./provider";
import { redirectUri } from "./provider";

/**
 * The provider adapters on their own, against the loopback sandboxes: what each provider answer
 * becomes (a refusal the member can act on, or an outage to retry), and the scopes they ask for.
 */

let googleSandbox: GoogleSandbox;
let microsoftSandbox: MicrosoftSandbox;
const REDIRECT = "http://127.0.0.1:9/oauth/x/callback";

beforeAll(async () => {
  [googleSandbox, microsoftSandbox] = await Promise.all([GoogleSandbox.start(), MicrosoftSandbox.start()]);
});
afterAll(async () => {
  await Promise.all([googleSandbox?.close(), microsoftSandbox?.close()]);
});
beforeEach(() => {
  Object.assign(process.env, googleSandboxEnv(googleSandbox), microsoftSandboxEnv(microsoftSandbox));
});

/** A code for `email`, as the provider's redirect would carry it. */
async function codeFor(provider: OAuthProvider, email: string, scopes = { mail: true, calendar: true }) {
  const sandbox = provider.name === "google" ? googleSandbox : microsoftSandbox;
  try {
    sandbox.addAccount({ email });
  } catch {
    // already known
  }
  sandbox.signIn(email);
  const { verifier, challenge } = await provider.pkce();
  const url = await provider.authorizeUrl({
    scopes: provider.scopesFor(scopes),
    state: "s",
    codeChallenge: challenge,
    redirectUri: REDIRECT,
  });
  const location = await sandbox.consent(url);
  return { code: location.searchParams.get("code") as string, verifier };
}

describe("scopes: the toggles and nothing more", () => {
  it("Google asks for openid and email plus each toggled scope, and reads the grant by scope URL", () => {
    expect(google.scopesFor({ mail: false, calendar: true })).toEqual([
      "openid",
      "email",
      "https://www.googleapis.com/auth/calendar.readonly",
    ]);
    expect(google.covers(["https://www.googleapis.com/auth/gmail.metadata"], "mail")).toBe(true);
    expect(google.covers(["https://www.googleapis.com/auth/gmail.metadata"], "calendar")).toBe(false);
  });

  it("Microsoft asks for the toggled Graph scopes plus offline_access and User.Read, and reads the grant with or without the resource prefix", () => {
    expect(microsoft.scopesFor({ mail: true, calendar: false })).toEqual([
      "Mail.ReadBasic",
      "offline_access",
      "User.Read",
    ]);
    expect(microsoft.covers(["https://graph.microsoft.com/Mail.ReadBasic"], "mail")).toBe(true);
    expect(microsoft.covers(["calendars.readbasic"], "calendar")).toBe(true);
    expect(microsoft.covers(["User.Read"], "mail")).toBe(false);
  });
});

describe("what a provider's answer becomes", () => {
  for (const provider of [google, microsoft]) {
    it(`${provider.name}: a code used twice is a refusal (invalid_grant), not an outage`, async () => {
      const { code, verifier } = await codeFor(provider, `reuse-${provider.name}@example.com`);
      const input = {
        code,
        codeVerifier: verifier,
        scopes: provider.scopesFor({ mail: true, calendar: true }),
        redirectUri: REDIRECT,
      };
      await expect(provider.exchange(input)).resolves.toMatchObject({
        email: `reuse-${provider.name}@example.com`,
      });
      const refused = await provider.exchange(input).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ProviderRefused);
      expect((refused as ProviderRefused).grantRevoked).toBe(true);
    });

    it(`${provider.name}: a wrong PKCE verifier is refused`, async () => {
      const { code } = await codeFor(provider, `verifier-${provider.name}@example.com`);
      const other = await provider.pkce();
      await expect(
        provider.exchange({
          code,
          codeVerifier: other.verifier,
          scopes: provider.scopesFor({ mail: true, calendar: false }),
          redirectUri: REDIRECT,
        }),
      ).rejects.toBeInstanceOf(ProviderRefused);
    });

    it(`${provider.name}: unset client credentials are a 503, not a crash`, async () => {
      const name = provider.name === "google" ? "GOOGLE_CLIENT_ID" : "MICROSOFT_CLIENT_ID";
      delete process.env[name];
      await expect(provider.pkce().then(() => provider.refresh("x", []))).rejects.toBeInstanceOf(
        ProviderUnavailable,
      );
    });
  }

  it("google: the user info endpoint failing is an outage", async () => {
    const { code, verifier } = await codeFor(google, "userinfo-down@example.com");
    googleSandbox.failNext({ endpoint: "userinfo", status: 503, times: 4 });
    await expect(
      google.exchange({
        code,
        codeVerifier: verifier,
        scopes: google.scopesFor({ mail: true, calendar: true }),
        redirectUri: REDIRECT,
      }),
    ).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it("google: revoking a token Google does not know is a refusal; an unreachable Google an outage", async () => {
    await expect(google.revoke("not-a-token")).rejects.toBeInstanceOf(ProviderRefused);
    process.env.GOOGLE_OAUTH_REVOKE_URL = "http://127.0.0.1:9/revoke";
    await expect(google.revoke("any")).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it("microsoft: revoke does nothing (Microsoft has no per-token revocation)", async () => {
    const before = microsoftSandbox.requests.length;
    await expect(microsoft.revoke("anything")).resolves.toBeUndefined();
    expect(microsoftSandbox.requests.length).toBe(before);
  });

  it("microsoft: a refresh token that is not one is refused", async () => {
    await expect(
      microsoft.refresh("not-a-refresh-token", microsoft.scopesFor({ mail: true, calendar: false })),
    ).rejects.toBeInstanceOf(ProviderRefused);
  });
});

describe("the redirect URI and the callback's answer", () => {
  it("uses OAUTH_REDIRECT_BASE_URL, else the request's origin, and refuses neither", () => {
    const saved = process.env.OAUTH_REDIRECT_BASE_URL;
    process.env.OAUTH_REDIRECT_BASE_URL = "https://api.example/";
    expect(redirectUri("google", "https://ignored.example")).toBe(
      "https://api.example/oauth/google/callback",
    );
    delete process.env.OAUTH_REDIRECT_BASE_URL;
    expect(redirectUri("microsoft", "https://abc.execute-api.example")).toBe(
      "https://abc.execute-api.example/oauth/microsoft/callback",
    );
    expect(() => redirectUri("google")).toThrow(/OAUTH_REDIRECT_BASE_URL/);
    if (saved) process.env.OAUTH_REDIRECT_BASE_URL = saved;
  });

  it("answers a stale link, a provider refusal and an outage with their own pages, or redirects with an error", async () => {
    delete process.env.OAUTH_SUCCESS_URL;
    const stale = await answerCallback("google", async () => {
      throw new InvalidOAuthState("expired");
    });
    expect(stale).toMatchObject({ status: 400, body: expect.stringContaining("expired") });
    const refused = await answerCallback("google", async () => {
      throw new OAuthDenied("invalid_grant");
    });
    expect(refused).toMatchObject({ status: 400, body: expect.stringContaining("Could not connect") });
    const outage = await answerCallback("microsoft", async () => {
      throw new ProviderUnavailable("Microsoft");
    });
    expect(outage).toMatchObject({ status: 503 });
    await expect(
      answerCallback("google", async () => {
        throw new Error("unexpected");
      }),
    ).rejects.toThrow("unexpected");

    process.env.OAUTH_SUCCESS_URL = "https://portal.example/mailbox?tab=1";
    const redirected = await answerCallback("microsoft", async () => {
      throw new InvalidOAuthState("used");
    });
    expect(redirected.status).toBe(302);
    const location = new URL(redirected.headers.location as string);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      tab: "1",
      provider: "microsoft",
      error: "invalid_state",
    });
    const unavailable = await answerCallback("google", async () => {
      throw new ProviderUnavailable("Google");
    });
    expect(new URL(unavailable.headers.location as string).searchParams.get("error")).toBe(
      "temporarily_unavailable",
    );
    delete process.env.OAUTH_SUCCESS_URL;
  });
});
