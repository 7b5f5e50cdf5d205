import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../api/client";
import { useSession } from "../context";
import { Badge, ErrorNote, Loading, useAction, useApi } from "../ui";

type Clause = Schemas["Rules"]["clauses"][number];

/** The org's rule set: active clauses, then inactive ones (their data is missing); admins tune thresholds. */
export function Rules() {
  const session = useSession();
  const { orgId } = session;
  const rules = useApi(
    () => call(api.GET("/v1/orgs/{orgId}/rules", { params: { path: { orgId } } })),
    [orgId],
  );
  const [edits, setEdits] = useState<Record<string, Record<string, number>>>({});
  const action = useAction();
  if (rules.error) return <ErrorNote error={rules.error} />;
  if (!rules.data) return <Loading />;
  const { version, clauses } = rules.data;
  const edit = (code: string, name: string, value: number) =>
    setEdits((previous) => ({ ...previous, [code]: { ...previous[code], [name]: value } }));
  const save = (event: Event) => {
    event.preventDefault();
    void action
      .run(() =>
        call(
          api.PATCH("/v1/orgs/{orgId}/rules", { params: { path: { orgId } }, body: { thresholds: edits } }),
        ),
      )
      .then((saved) => {
        if (!saved) return;
        setEdits({});
        void rules.reload();
      });
  };
  const group = (active: boolean) => clauses.filter((clause) => clause.active === active);
  return (
    <form class="stack" onSubmit={save}>
      <h1>
        Rules <span class="muted">version {version}</span>
      </h1>
      {[true, false].map((active) => (
        <section key={String(active)} class="stack">
          <h2>{active ? "Active clauses" : "Inactive clauses (their data is missing)"}</h2>
          {group(active).map((clause) => (
            <ClauseCard
              key={clause.code}
              clause={clause}
              edits={edits[clause.code]}
              editable={session.admin}
              onEdit={edit}
            />
          ))}
          {group(active).length === 0 ? <p class="muted">None.</p> : null}
        </section>
      ))}
      {session.admin ? (
        <div class="row sticky">
          <button type="submit" disabled={action.busy || Object.keys(edits).length === 0}>
            Save as a new version
          </button>
          <ErrorNote error={action.error} />
        </div>
      ) : null}
    </form>
  );
}

function ClauseCard(props: {
  clause: Clause;
  edits: Record<string, number> | undefined;
  editable: boolean;
  onEdit: (code: string, name: string, value: number) => void;
}) {
  const { clause } = props;
  return (
    <article class="card stack" data-testid="clause">
      <div class="row">
        <code>{clause.code}</code>
        <Badge tone={clause.tier}>{clause.tier}</Badge>
        <span class="muted">weight {clause.weight}</span>
        <span class="muted">needs {clause.requires.replace("_", " ")}</span>
      </div>
      {Object.entries(clause.thresholds).length ? (
        <div class="row">
          {Object.entries(clause.thresholds).map(([name, value]) => {
            const bounds = clause.bounds[name];
            return (
              <label key={name}>
                {name}{" "}
                <input
                  type="number"
                  class="short"
                  value={props.edits?.[name] ?? value}
                  min={bounds?.min}
                  max={bounds?.max}
                  disabled={!props.editable}
                  onInput={(event) => props.onEdit(clause.code, name, Number(event.currentTarget.value))}
                />
                {bounds ? (
                  <span class="muted">
                    {" "}
                    ({bounds.min}–{bounds.max})
                  </span>
                ) : null}
              </label>
            );
          })}
        </div>
      ) : null}
    </article>
  );
}
