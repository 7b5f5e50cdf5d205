import { useEffect, useState } from "preact/hooks";
import { api, call, type Schemas } from "../api/client";
import { useSession } from "../context";
import { navigate, useLocation } from "../router";
import { Badge, ErrorNote, Loading, useAction, useApi, when } from "../ui";

type Provider = Schemas["MailboxAccount"]["provider"];
type Scopes = Schemas["MailboxScopes"];
const PROVIDER_NAMES: Record<Provider, string> = { google: "Google Workspace", microsoft: "Microsoft 365" };
/** How often the page re-reads the mailbox while a backfill runs or a consent is pending. */
const POLL_MS = 1500;

/** Consent happens at the provider, in a new tab; this page keeps reading the mailbox meanwhile. */
function openConsent(authorizeUrl: string): void {
  if (!window.open(authorizeUrl, "_blank")) location.assign(authorizeUrl);
}

export function Mailbox() {
  const session = useSession();
  const { query } = useLocation();
  const userId = query.get("user") ?? session.me.user?.id ?? [...session.users.keys()][0] ?? "";
  return (
    <section class="stack">
      <h1>Mailbox</h1>
      {session.admin ? (
        <label>
          Member{" "}
          <select
            aria-label="Member"
            value={userId}
            onChange={(event) => navigate(`/orgs/${session.orgId}/mailbox?user=${event.currentTarget.value}`)}
          >
            {[...session.users.values()].map((user) => (
              <option key={user.id} value={user.id}>
                {user.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {userId ? <Accounts key={userId} userId={userId} /> : <Loading />}
    </section>
  );
}

function Accounts({ userId }: { userId: string }) {
  const { orgId } = useSession();
  const path = { orgId, userId };
  const mailbox = useApi(
    () => call(api.GET("/v1/orgs/{orgId}/users/{userId}/mailbox", { params: { path } })),
    [orgId, userId],
  );
  const [awaitingConsent, setAwaitingConsent] = useState(0);
  const accounts = mailbox.data?.accounts ?? [];
  const busy = accounts.some(
    (account) =>
      account.status === "syncing" ||
      [account.mail, account.calendar].some((scope) => scope.phase === "backfill" && scope.progress < 1),
  );
  const polling = busy || Date.now() < awaitingConsent;
  useEffect(() => {
    if (!polling || mailbox.loading) return;
    const timer = setTimeout(() => void mailbox.reload(), POLL_MS);
    return () => clearTimeout(timer);
  }, [polling, mailbox.loading, mailbox.data]);
  // Waiting for consent in the other tab: read for two minutes, until the account shows up.
  const consent = (authorizeUrl: string) => {
    setAwaitingConsent(Date.now() + 120_000);
    openConsent(authorizeUrl);
  };

  return (
    <div class="stack">
      <ErrorNote error={mailbox.error} />
      {!mailbox.data && !mailbox.error ? <Loading /> : null}
      {accounts.map((account) => (
        <Account
          key={account.accountId}
          userId={userId}
          account={account}
          onChange={() => void mailbox.reload()}
          onConsent={consent}
        />
      ))}
      {mailbox.data && accounts.length === 0 ? <p class="muted">No mailbox connected.</p> : null}
      <Connect userId={userId} onConsent={consent} />
    </div>
  );
}

function Connect({ userId, onConsent }: { userId: string; onConsent: (url: string) => void }) {
  const { orgId } = useSession();
  const [scopes, setScopes] = useState<Scopes>({ mail: true, calendar: true });
  const action = useAction();
  const connect = (provider: Provider) =>
    void action.run(async () => {
      const { authorizeUrl } = await call(
        api.POST("/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/connect", {
          params: { path: { orgId, userId, provider } },
          body: { scopes },
        }),
      );
      onConsent(authorizeUrl);
    });
  return (
    <div class="card stack">
      <h2>Connect a mailbox</h2>
      <ScopeToggles scopes={scopes} onChange={setScopes} />
      <div class="row">
        {(["google", "microsoft"] as const).map((provider) => (
          <button
            key={provider}
            type="button"
            disabled={action.busy || (!scopes.mail && !scopes.calendar)}
            onClick={() => connect(provider)}
          >
            Connect {PROVIDER_NAMES[provider]}
          </button>
        ))}
      </div>
      <ErrorNote error={action.error} />
    </div>
  );
}

function ScopeToggles(props: { scopes: Scopes; onChange: (scopes: Scopes) => void; disabled?: boolean }) {
  return (
    <div class="row">
      {(["mail", "calendar"] as const).map((scope) => (
        <label key={scope} class="toggle">
          <input
            type="checkbox"
            checked={props.scopes[scope]}
            disabled={props.disabled}
            onChange={(event) => props.onChange({ ...props.scopes, [scope]: event.currentTarget.checked })}
          />{" "}
          {scope}
        </label>
      ))}
    </div>
  );
}

function Account(props: {
  userId: string;
  account: Schemas["MailboxAccount"];
  onChange: () => void;
  onConsent: (url: string) => void;
}) {
  const { orgId } = useSession();
  const { account } = props;
  const path = { orgId, userId: props.userId, provider: account.provider };
  const action = useAction();
  const [disconnecting, setDisconnecting] = useState(false);
  const setScopes = (scopes: Scopes) =>
    void action
      .run(async () => {
        const updated = await call(
          api.PATCH("/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}", {
            params: { path },
            body: { scopes },
          }),
        );
        if (updated.authorizeUrl) props.onConsent(updated.authorizeUrl);
      })
      .then(props.onChange);
  const reconnect = () =>
    void action.run(async () => {
      const { authorizeUrl } = await call(
        api.POST("/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/connect", {
          params: { path },
          body: { scopes: account.scopes },
        }),
      );
      props.onConsent(authorizeUrl);
    });
  return (
    <article class="card stack" data-testid={`mailbox-${account.provider}`}>
      <div class="row">
        <strong>{PROVIDER_NAMES[account.provider]}</strong>
        <span>{account.email}</span>
        <Badge tone={account.status}>{account.status.replace("_", " ")}</Badge>
        <span class="muted">connected {when(account.connectedAt)}</span>
      </div>
      {account.status === "reauth_required" ? (
        <p class="warning row">
          The provider no longer accepts this connection.
          <button type="button" onClick={reconnect} disabled={action.busy}>
            Reconnect
          </button>
        </p>
      ) : null}
      <ScopeToggles scopes={account.scopes} onChange={setScopes} disabled={action.busy} />
      {(["mail", "calendar"] as const).map((scope) => (
        <ScopeProgress key={scope} scope={scope} state={account[scope]} />
      ))}
      <div class="row">
        <button
          type="button"
          class="secondary"
          disabled={action.busy}
          onClick={() =>
            void action
              .run(() =>
                call(
                  api.POST("/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/sync", { params: { path } }),
                ),
              )
              .then(props.onChange)
          }
        >
          Sync now
        </button>
        {disconnecting ? (
          <>
            <button
              type="button"
              class="danger"
              disabled={action.busy}
              onClick={() =>
                void action
                  .run(() =>
                    call(
                      api.DELETE("/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}", { params: { path } }),
                    ),
                  )
                  .then(props.onChange)
              }
            >
              Disconnect and delete its events
            </button>
            <button type="button" class="secondary" onClick={() => setDisconnecting(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" class="secondary" onClick={() => setDisconnecting(true)}>
            Disconnect…
          </button>
        )}
      </div>
      <ErrorNote error={action.error} />
    </article>
  );
}

function ScopeProgress({ scope, state }: { scope: "mail" | "calendar"; state: Schemas["SyncState"] }) {
  if (state.phase === "off") return <p class="muted">{scope}: off</p>;
  const percent = Math.round(state.progress * 100);
  return (
    <div class="stack tight">
      <div class="row">
        <span class="scope">{scope}</span>
        <div
          class="bar"
          role="progressbar"
          aria-label={`${scope} backfill`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div style={{ width: `${percent}%` }} />
        </div>
        <span>{percent}%</span>
      </div>
      <p class="muted">
        {state.phase}, {state.eventsIngested} events
        {state.backfilledThrough ? `, back to ${new Date(state.backfilledThrough).toLocaleDateString()}` : ""}
        , last sync {when(state.lastSyncAt)}
      </p>
      {state.lastError ? <p class="error">{state.lastError}</p> : null}
    </div>
  );
}
