import { api, call } from "../api/client";
import { userName, useSession } from "../context";
import { ErrorNote, Loading, MoreButton, usePages, when } from "../ui";

/** Admins: people the team writes to or meets who are in no collection, strongest signal first. */
export function Unresolved() {
  const session = useSession();
  const { orgId } = session;
  const queue = usePages(
    (cursor) =>
      call(
        api.GET("/v1/orgs/{orgId}/unresolved-correspondents", {
          params: { path: { orgId }, query: { cursor } },
        }),
      ),
    [orgId],
  );
  return (
    <section>
      <h1>Unresolved correspondents</h1>
      <p class="muted">Emails seen in mail or meetings that match no contact, ranked by signal.</p>
      <ErrorNote error={queue.error} />
      <ol class="list">
        {queue.items.map((item) => (
          <li key={item.email} class="row">
            <code>{item.email}</code>
            <span>{item.twoWayThreads} two-way threads</span>
            <span>{item.meetings} meetings</span>
            <span class="muted">last {when(item.lastInteractionAt)}</span>
            <span class="muted">{item.users.map((id) => userName(session, id)).join(", ")}</span>
          </li>
        ))}
      </ol>
      {queue.loading && queue.items.length === 0 ? <Loading /> : null}
      {!queue.loading && queue.items.length === 0 && !queue.error ? (
        <p class="muted">The queue is empty.</p>
      ) : null}
      <MoreButton more={queue.more} loading={queue.loading} />
    </section>
  );
}
