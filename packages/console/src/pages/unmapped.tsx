import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../api/client";
import { userName, useSession } from "../context";
import { Badge, ErrorNote, Loading, MoreButton, useAction, usePages, when } from "../ui";

/** Identities seen in webhooks that match no user, most seen first (the API's order). */
export function Unmapped() {
  const { orgId } = useSession();
  const entries = usePages(
    (cursor) =>
      call(api.GET("/v1/orgs/{orgId}/unmapped", { params: { path: { orgId }, query: { cursor } } })),
    [orgId],
  );
  return (
    <section>
      <h1>Unmapped identities</h1>
      <ErrorNote error={entries.error} />
      <ol class="list">
        {entries.items.map((entry) => (
          <Entry
            key={`${entry.kind}:${entry.externalId}`}
            entry={entry}
            onResolved={() => void entries.reload()}
          />
        ))}
      </ol>
      {entries.loading && entries.items.length === 0 ? <Loading /> : null}
      {!entries.loading && entries.items.length === 0 && !entries.error ? (
        <p class="muted">Nothing unmapped.</p>
      ) : null}
      <MoreButton more={entries.more} loading={entries.loading} />
    </section>
  );
}

function Entry({ entry, onResolved }: { entry: Schemas["UnmappedIdentity"]; onResolved: () => void }) {
  const session = useSession();
  const [userId, setUserId] = useState(entry.candidates[0] ?? "");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const action = useAction();
  const candidates = new Set(entry.candidates);
  const users = [...session.users.values()].sort(
    (a, b) => Number(candidates.has(b.id)) - Number(candidates.has(a.id)) || a.name.localeCompare(b.name),
  );
  const resolve = (body: Schemas["ResolveUnmappedInput"]) =>
    void action
      .run(() =>
        call(
          api.POST("/v1/orgs/{orgId}/unmapped/{kind}/{externalId}/resolve", {
            params: { path: { orgId: session.orgId, kind: entry.kind, externalId: entry.externalId } },
            body,
          }),
        ),
      )
      .then((done) => {
        if (!done) return;
        session.reloadUsers();
        onResolved();
      });
  return (
    <li class="card stack" data-testid="unmapped-entry">
      <div class="row">
        <Badge tone="info">{entry.kind}</Badge>
        <code>{entry.externalId}</code>
        <span>
          seen {entry.count}× <span class="muted">(last {when(entry.lastSeenAt)})</span>
        </span>
      </div>
      <p class="muted">
        {entry.sampleEventType}: {entry.sampleContext}
      </p>
      {entry.candidates.length ? (
        <p class="muted">Candidates: {entry.candidates.map((id) => userName(session, id)).join(", ")}</p>
      ) : null}
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (userId) resolve({ userId });
        }}
      >
        <label>
          Link to{" "}
          <select
            aria-label="Link to user"
            value={userId}
            onChange={(event) => setUserId(event.currentTarget.value)}
          >
            <option value="">choose a user…</option>
            {users.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name}
                {candidates.has(user.id) ? " (candidate)" : ""}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!userId || action.busy}>
          Link
        </button>
      </form>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          resolve(email.trim() ? { name: name.trim(), email: email.trim() } : { name: name.trim() });
        }}
      >
        <input
          aria-label="New user's name"
          placeholder="New user's name"
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
          required
        />
        <input
          aria-label="New user's email"
          type="email"
          placeholder="email (optional)"
          value={email}
          onInput={(event) => setEmail(event.currentTarget.value)}
        />
        <button type="submit" class="secondary" disabled={!name.trim() || action.busy}>
          Create user
        </button>
      </form>
      <ErrorNote error={action.error} />
    </li>
  );
}
