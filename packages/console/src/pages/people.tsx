import { useState } from "preact/hooks";
import { api, call } from "../api/client";
import { useSession } from "../context";
import { Link, navigate } from "../router";
import { Badge, ErrorNote, Loading, MoreButton, useAction, useApi, usePages, when } from "../ui";

export function People() {
  const { orgId } = useSession();
  const users = usePages(
    (cursor) => call(api.GET("/v1/orgs/{orgId}/users", { params: { path: { orgId }, query: { cursor } } })),
    [orgId],
  );
  return (
    <section>
      <h1>People</h1>
      <ErrorNote error={users.error} />
      <ul class="list">
        {users.items.map((user) => (
          <li key={user.id} class="row">
            <Link href={`/orgs/${orgId}/people/${user.id}`}>{user.name}</Link>
            <span class="muted">{user.email ?? "no email"}</span>
            <Badge tone={user.status}>{user.status}</Badge>
            {user.accessRole === "admin" ? <Badge tone="info">admin</Badge> : null}
            <span class="muted">{user.identities.map((identity) => identity.kind).join(", ")}</span>
          </li>
        ))}
      </ul>
      {users.loading && users.items.length === 0 ? <Loading /> : null}
      <MoreButton more={users.more} loading={users.loading} />
    </section>
  );
}

export function Person({ userId }: { userId: string }) {
  const session = useSession();
  const { orgId } = session;
  const user = useApi(
    () => call(api.GET("/v1/orgs/{orgId}/users/{userId}", { params: { path: { orgId, userId } } })),
    [orgId, userId],
  );
  const events = usePages(
    (cursor) =>
      call(
        api.GET("/v1/orgs/{orgId}/users/{userId}/events", {
          params: { path: { orgId, userId }, query: { cursor } },
        }),
      ),
    [orgId, userId],
  );
  if (user.error) return <ErrorNote error={user.error} />;
  if (!user.data) return <Loading />;
  const person = user.data;
  return (
    <section class="stack">
      <h1>{person.name}</h1>
      <p>
        {person.email ?? "no email"} <Badge tone={person.status}>{person.status}</Badge>{" "}
        <Badge tone="info">{person.accessRole}</Badge>
      </p>
      {person.emailAliases.length ? <p class="muted">Aliases: {person.emailAliases.join(", ")}</p> : null}

      <h2>Identities</h2>
      <ul class="list">
        {person.identities.map((identity) => (
          <li key={`${identity.kind}:${identity.externalId}`} class="row">
            <Badge tone="info">{identity.kind}</Badge> <code>{identity.externalId}</code>
            <span class="muted">since {when(identity.createdAt)}</span>
          </li>
        ))}
        {person.identities.length === 0 ? <li class="muted">None linked.</li> : null}
      </ul>

      <h2>Tokens</h2>
      <Tokens userId={userId} tokens={person.tokens} onChange={() => void user.reload()} />

      <h2>Merge</h2>
      <Merge targetId={userId} targetName={person.name} onMerged={() => void user.reload()} />

      <h2>Audit timeline</h2>
      <ErrorNote error={events.error} />
      <ol class="timeline">
        {events.items.map((event) => (
          <li key={event.id}>
            <strong>{event.eventType.replaceAll("_", " ")}</strong>{" "}
            <span class="muted">by {event.actor}</span> <span class="muted">{when(event.createdAt)}</span>
          </li>
        ))}
      </ol>
      <MoreButton more={events.more} loading={events.loading} />
    </section>
  );
}

function Tokens(props: {
  userId: string;
  tokens: {
    id: string;
    preview: string;
    label: string | null;
    createdAt: string;
    lastUsedAt: string | null;
  }[];
  onChange: () => void;
}) {
  const { orgId } = useSession();
  const action = useAction();
  const [minted, setMinted] = useState<string>();
  const path = { orgId, userId: props.userId };
  return (
    <div class="stack">
      <ul class="list">
        {props.tokens.map((token) => (
          <li key={token.id} class="row">
            <code>…{token.preview}</code> {token.label ?? ""}
            <span class="muted">used {when(token.lastUsedAt)}</span>
            <button
              type="button"
              class="danger"
              disabled={action.busy}
              onClick={() =>
                void action
                  .run(() =>
                    call(
                      api.DELETE("/v1/orgs/{orgId}/users/{userId}/tokens/{tokenId}", {
                        params: { path: { ...path, tokenId: token.id } },
                      }),
                    ),
                  )
                  .then(props.onChange)
              }
            >
              Revoke
            </button>
          </li>
        ))}
        {props.tokens.length === 0 ? <li class="muted">No tokens.</li> : null}
      </ul>
      <button
        type="button"
        class="secondary"
        disabled={action.busy}
        onClick={() =>
          void action.run(async () => {
            const token = await call(
              api.POST("/v1/orgs/{orgId}/users/{userId}/tokens", {
                params: { path },
                body: { label: "console" },
              }),
            );
            setMinted(token.token);
            props.onChange();
          })
        }
      >
        Mint a token
      </button>
      {minted ? (
        <p class="card">
          Copy it now, it is shown only once: <code class="wrap">{minted}</code>
        </p>
      ) : null}
      <ErrorNote error={action.error} />
    </div>
  );
}

/** Merging deletes the source user; a second click confirms. */
function Merge({
  targetId,
  targetName,
  onMerged,
}: {
  targetId: string;
  targetName: string;
  onMerged: () => void;
}) {
  const session = useSession();
  const [sourceId, setSourceId] = useState("");
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const others = [...session.users.values()].filter((user) => user.id !== targetId);
  const source = session.users.get(sourceId);
  return (
    <div class="stack">
      <div class="row">
        <label>
          Merge into {targetName}:{" "}
          <select
            value={sourceId}
            onChange={(event) => {
              setSourceId(event.currentTarget.value);
              setConfirming(false);
            }}
          >
            <option value="">choose a user…</option>
            {others.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name} {user.email ? `(${user.email})` : ""}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" disabled={!sourceId} onClick={() => setConfirming(true)}>
          Merge…
        </button>
      </div>
      {confirming && source ? (
        <div class="card confirm" role="alertdialog">
          <p>
            Move {source.name}'s identities, emails and tokens into {targetName}, then delete {source.name}?
            Both audit timelines are kept.
          </p>
          <div class="row">
            <button
              type="button"
              class="danger"
              disabled={action.busy}
              onClick={() =>
                void action
                  .run(() =>
                    call(
                      api.POST("/v1/orgs/{orgId}/users/{userId}/merge", {
                        params: { path: { orgId: session.orgId, userId: targetId } },
                        body: { sourceUserId: sourceId },
                      }),
                    ),
                  )
                  .then((merged) => {
                    if (!merged) return;
                    setConfirming(false);
                    setSourceId("");
                    session.reloadUsers();
                    onMerged();
                    navigate(`/orgs/${session.orgId}/people/${targetId}`);
                  })
              }
            >
              Confirm merge
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      <ErrorNote error={action.error} />
    </div>
  );
}
