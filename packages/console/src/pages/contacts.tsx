import { api, call, type Schemas } from "../api/client";
import { userName, useSession } from "../context";
import { Link, navigate, useLocation } from "../router";
import { Badge, ErrorNote, Loading, MoreButton, useAction, useApi, usePages, when } from "../ui";

const REACH_TIERS = ["high", "medium", "low", "none"] as const;
const SORTS = ["reachability", "strength", "name"] as const;
type Sort = (typeof SORTS)[number];
type Tier = "warm" | "known" | "cold";

export function Collections() {
  const { orgId } = useSession();
  const collections = usePages(
    (cursor) =>
      call(api.GET("/v1/orgs/{orgId}/collections", { params: { path: { orgId }, query: { cursor } } })),
    [orgId],
  );
  return (
    <section>
      <h1>Collections</h1>
      <ErrorNote error={collections.error} />
      <ul class="list">
        {collections.items.map((collection) => (
          <li key={collection.id} class="row">
            <Link href={`/orgs/${orgId}/collections/${collection.id}`}>{collection.name}</Link>
          </li>
        ))}
      </ul>
      {collections.loading && collections.items.length === 0 ? <Loading /> : null}
      <MoreButton more={collections.more} loading={collections.loading} />
    </section>
  );
}

/** A collection's contacts, filtered by reachability tier and sorted as the API sorts them. */
export function Contacts({ collectionId }: { collectionId: string }) {
  const session = useSession();
  const { orgId } = session;
  const { query } = useLocation();
  const sort = (SORTS as readonly string[]).includes(query.get("sort") ?? "")
    ? (query.get("sort") as Sort)
    : "reachability";
  const reachability = query.get("reachability") ?? "";
  const collection = useApi(
    () =>
      call(
        api.GET("/v1/orgs/{orgId}/collections/{collectionId}", { params: { path: { orgId, collectionId } } }),
      ),
    [orgId, collectionId],
  );
  const contacts = usePages(
    (cursor) =>
      call(
        api.GET("/v1/orgs/{orgId}/collections/{collectionId}/contacts", {
          params: {
            path: { orgId, collectionId },
            query: { sort, cursor, ...(reachability ? { reachability } : {}) },
          },
        }),
      ),
    [orgId, collectionId, sort, reachability],
  );
  const setQuery = (next: { sort?: string; reachability?: string }) => {
    const params = new URLSearchParams({ sort, reachability, ...next });
    if (!params.get("reachability")) params.delete("reachability");
    navigate(`/orgs/${orgId}/collections/${collectionId}?${params}`);
  };
  const chosen = new Set(reachability.split(",").filter(Boolean));
  return (
    <section class="stack">
      <h1>{collection.data?.name ?? "Contacts"}</h1>
      <ErrorNote error={collection.error} />
      <div class="row filters">
        <label>
          Sort{" "}
          <select
            aria-label="Sort"
            value={sort}
            onChange={(event) => setQuery({ sort: event.currentTarget.value })}
          >
            {SORTS.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <fieldset class="row">
          <legend>Reachability</legend>
          {REACH_TIERS.map((tier) => (
            <label key={tier} class="toggle">
              <input
                type="checkbox"
                checked={chosen.has(tier)}
                onChange={(event) => {
                  const next = new Set(chosen);
                  if (event.currentTarget.checked) next.add(tier);
                  else next.delete(tier);
                  setQuery({ reachability: REACH_TIERS.filter((t) => next.has(t)).join(",") });
                }}
              />{" "}
              {tier}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorNote error={contacts.error} />
      <ul class="list">
        {contacts.items.map((contact) => (
          <li key={contact.id} class="row" data-testid="contact-row">
            <Link href={`/orgs/${orgId}/collections/${collectionId}/contacts/${contact.id}`}>
              {contact.name}
            </Link>
            <span class="muted">{contact.emails.join(", ")}</span>
            <Reach reachability={contact.reachability} />
            {contact.reachability?.keyUserId ? (
              <span class="muted">via {userName(session, contact.reachability.keyUserId)}</span>
            ) : null}
          </li>
        ))}
      </ul>
      {contacts.loading && contacts.items.length === 0 ? <Loading /> : null}
      {!contacts.loading && contacts.items.length === 0 && !contacts.error ? (
        <p class="muted">No contacts match.</p>
      ) : null}
      <MoreButton more={contacts.more} loading={contacts.loading} />
    </section>
  );
}

function Reach({ reachability }: { reachability: Schemas["Reachability"] | null }) {
  const tier = reachability?.tier ?? "none";
  return (
    <Badge tone={`reach-${tier}`}>
      <span data-testid="reachability">{tier}</span>
    </Badge>
  );
}

export function Contact({ collectionId, contactId }: { collectionId: string; contactId: string }) {
  const session = useSession();
  const { orgId } = session;
  const detail = useApi(
    () =>
      call(
        api.GET("/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}", {
          params: { path: { orgId, collectionId, contactId } },
        }),
      ),
    [orgId, collectionId, contactId],
  );
  if (detail.error) return <ErrorNote error={detail.error} />;
  if (!detail.data) return <Loading />;
  const { contact, reachability, connections } = detail.data;
  const key = connections.find((connection) => connection.userId === reachability?.keyUserId);
  return (
    <section class="stack">
      <p>
        <Link href={`/orgs/${orgId}/collections/${collectionId}`}>← contacts</Link>
      </p>
      <h1>{contact.name}</h1>
      <p class="muted">
        {contact.emails.join(", ")}
        {contact.linkedinHandle ? ` · linkedin.com/in/${contact.linkedinHandle}` : ""}
      </p>
      <div class="card row" data-testid="reachability-summary">
        Reachability <Reach reachability={reachability} />
        {reachability ? (
          <span class="muted">
            {reachability.warm} warm, {reachability.known} known, {reachability.cold} cold
          </span>
        ) : null}
      </div>
      <h2>Key connection</h2>
      {key ? (
        <div data-testid="key-connection">
          <ConnectionCard
            connection={key}
            collectionId={collectionId}
            contactId={contactId}
            onChange={detail.reload}
          />
        </div>
      ) : (
        <p class="muted">Nobody on the team is a route to this contact yet.</p>
      )}
      <h2>Every connection</h2>
      {connections
        .filter((connection) => connection !== key)
        .map((connection) => (
          <ConnectionCard
            key={connection.userId}
            connection={connection}
            collectionId={collectionId}
            contactId={contactId}
            onChange={detail.reload}
          />
        ))}
      {connections.length <= (key ? 1 : 0) ? <p class="muted">No other connections.</p> : null}
    </section>
  );
}

/** One member's strength: its reasons show on hover (title) and on tap (the disclosure). */
function ConnectionCard(props: {
  connection: Schemas["Connection"];
  collectionId: string;
  contactId: string;
  onChange: () => Promise<void>;
}) {
  const session = useSession();
  const { connection } = props;
  const action = useAction();
  const mine = session.me.user?.id === connection.userId;
  const reasons = connection.reasons.map((reason) => `${reason.code}: ${reason.detail}`).join("\n");
  const setOverride = (override: Tier | null) =>
    void action
      .run(() =>
        call(
          api.PUT("/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}/strength/{userId}", {
            params: {
              path: {
                orgId: session.orgId,
                collectionId: props.collectionId,
                contactId: props.contactId,
                userId: connection.userId,
              },
            },
            body: { override },
          }),
        ),
      )
      .then((done) => (done ? props.onChange() : undefined));
  return (
    <article class="card stack" data-testid="connection">
      <div class="row">
        <strong>{userName(session, connection.userId)}</strong>
        <span title={reasons || "no reasons"}>
          <Badge tone={connection.tier ?? "none"}>{connection.tier ?? "no tier"}</Badge>
        </span>
        <span class="muted">score {connection.score}</span>
        {connection.override ? <span class="muted">computed {connection.computedTier ?? "none"}</span> : null}
        <span class="muted">last contact {when(connection.lastInteractionAt)}</span>
      </div>
      <details>
        <summary>Why {connection.tier ?? "no tier"}?</summary>
        <ul class="reasons">
          {connection.reasons.map((reason) => (
            <li key={reason.code}>
              <Badge tone={reason.tier}>{reason.tier}</Badge> <code>{reason.code}</code> {reason.detail}
            </li>
          ))}
          {connection.reasons.length === 0 ? <li class="muted">No clause matched.</li> : null}
        </ul>
      </details>
      {session.admin || mine ? (
        <label>
          Override{" "}
          <select
            aria-label={`Override for ${userName(session, connection.userId)}`}
            value={connection.override ?? ""}
            disabled={action.busy}
            onChange={(event) => setOverride((event.currentTarget.value || null) as Tier | null)}
          >
            <option value="">none (computed)</option>
            <option value="warm">warm</option>
            <option value="known">known</option>
            <option value="cold">cold</option>
          </select>
        </label>
      ) : null}
      <ErrorNote error={action.error} />
    </article>
  );
}
