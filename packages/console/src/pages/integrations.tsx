import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../api/client";
import { useSession } from "../context";
import { Badge, ErrorNote, Loading, MoreButton, useAction, usePages, when } from "../ui";

type Provider = Schemas["CreateIntegrationInput"]["provider"];
const PROVIDERS: Provider[] = ["slack", "github", "gitlab", "linear", "agentmail"];

export function Integrations() {
  const { orgId } = useSession();
  const list = usePages(
    (cursor) =>
      call(api.GET("/v1/orgs/{orgId}/integrations", { params: { path: { orgId }, query: { cursor } } })),
    [orgId],
  );
  const remove = useAction();
  const [removing, setRemoving] = useState<string>();
  return (
    <section class="stack">
      <h1>Integrations</h1>
      <ErrorNote error={list.error} />
      <ul class="list">
        {list.items.map((integration) => (
          <li key={integration.id} class="row">
            <Badge tone="info">{integration.provider}</Badge>
            <code>{integration.externalTenantId}</code>
            <span class="muted">{integration.webhookPath}</span>
            <span class="muted">{integration.hasSecret ? "secret set" : "no secret"}</span>
            <span class="muted">{when(integration.createdAt)}</span>
            {removing === integration.id ? (
              <>
                <button
                  type="button"
                  class="danger"
                  disabled={remove.busy}
                  onClick={() =>
                    void remove
                      .run(() =>
                        call(
                          api.DELETE("/v1/orgs/{orgId}/integrations/{integrationId}", {
                            params: { path: { orgId, integrationId: integration.id } },
                          }),
                        ),
                      )
                      .then(() => {
                        setRemoving(undefined);
                        void list.reload();
                      })
                  }
                >
                  Confirm removal
                </button>
                <button type="button" class="secondary" onClick={() => setRemoving(undefined)}>
                  Cancel
                </button>
              </>
            ) : (
              <button type="button" class="secondary" onClick={() => setRemoving(integration.id)}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {list.loading && list.items.length === 0 ? <Loading /> : null}
      <MoreButton more={list.more} loading={list.loading} />
      <ErrorNote error={remove.error} />
      <h2>Add an integration</h2>
      <AddIntegration onAdded={() => void list.reload()} />
    </section>
  );
}

/** The secret is write-only: sent once, sealed by the API, never read back. */
function AddIntegration({ onAdded }: { onAdded: () => void }) {
  const { orgId } = useSession();
  const [provider, setProvider] = useState<Provider>("slack");
  const [tenant, setTenant] = useState("");
  const [secret, setSecret] = useState("");
  const [settings, setSettings] = useState("");
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action
      .run(async () => {
        let parsed: Record<string, unknown> | undefined;
        if (settings.trim()) {
          try {
            parsed = JSON.parse(settings) as Record<string, unknown>;
          } catch {
            throw new Error("Settings must be a JSON object.");
          }
        }
        await call(
          api.POST("/v1/orgs/{orgId}/integrations", {
            params: { path: { orgId } },
            body: {
              provider,
              externalTenantId: tenant.trim(),
              ...(secret ? { secret } : {}),
              ...(parsed ? { settings: parsed } : {}),
            },
          }),
        );
      })
      .then((added) => {
        if (!added) return;
        setTenant("");
        setSecret("");
        setSettings("");
        onAdded();
      });
  };
  return (
    <form class="card stack" onSubmit={submit}>
      <label>
        Provider{" "}
        <select value={provider} onChange={(event) => setProvider(event.currentTarget.value as Provider)}>
          {PROVIDERS.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        Tenant id
        <input value={tenant} onInput={(event) => setTenant(event.currentTarget.value)} required />
      </label>
      <label>
        Secret (write-only)
        <input
          type="password"
          autoComplete="off"
          value={secret}
          onInput={(event) => setSecret(event.currentTarget.value)}
        />
      </label>
      <label>
        Settings (JSON, optional)
        <textarea rows={3} value={settings} onInput={(event) => setSettings(event.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy || !tenant.trim()}>
        Add
      </button>
      <ErrorNote error={action.error} />
    </form>
  );
}
