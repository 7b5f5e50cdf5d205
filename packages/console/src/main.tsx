import { type JSX, render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, call, type Schemas, session } from "./api/client";
import { type Session, SessionContext } from "./context";
import { Collections, Contact, Contacts } from "./pages/contacts";
import { Integrations } from "./pages/integrations";
import { Mailbox } from "./pages/mailbox";
import { People, Person } from "./pages/people";
import { Rules } from "./pages/rules";
import { SignIn } from "./pages/sign-in";
import { Unmapped } from "./pages/unmapped";
import { Unresolved } from "./pages/unresolved";
import { Link, match, navigate, useLocation } from "./router";
import { ErrorNote, Loading, useApi } from "./ui";
import "./styles.css";

const PAGES = [
  { path: "people", label: "People", admin: true },
  { path: "unmapped", label: "Unmapped", admin: true },
  { path: "integrations", label: "Integrations", admin: true },
  { path: "mailbox", label: "Mailbox", admin: false },
  { path: "collections", label: "Contacts", admin: false },
  { path: "unresolved", label: "Unresolved", admin: true },
  { path: "rules", label: "Rules", admin: false },
] as const;

function App() {
  const [token, setToken] = useState(session.token());
  if (!token) return <SignIn onSignedIn={() => setToken(session.token())} />;
  return (
    <SignedIn
      onSignOut={() => {
        session.signOut();
        setToken(null);
        navigate("/");
      }}
    />
  );
}

function SignedIn({ onSignOut }: { onSignOut: () => void }) {
  const { path } = useLocation();
  const me = useApi(() => call(api.GET("/v1/whoami")), []);
  const orgs = useApi(
    async () =>
      me.data?.kind === "operator"
        ? (await call(api.GET("/v1/orgs", { params: { query: { limit: "200" } } }))).items
        : [],
    [me.data],
  );
  const orgId = /^\/orgs\/([^/]+)/.exec(path)?.[1];

  useEffect(() => {
    // `/` (or a bare org): the first page this caller may open.
    if (!me.data || orgId) return;
    const home = me.data.orgId ?? orgs.data?.find((org) => org.slug === "acme")?.id ?? orgs.data?.[0]?.id;
    if (home)
      navigate(
        `/orgs/${home}/${me.data.kind === "operator" || me.data.user?.accessRole === "admin" ? "people" : "mailbox"}`,
      );
  }, [me.data, orgs.data, orgId]);

  if (me.error) {
    return (
      <main class="page">
        <ErrorNote error={me.error} />
        <button type="button" onClick={onSignOut}>
          Sign in again
        </button>
      </main>
    );
  }
  if (!me.data) return <Loading />;
  if (!orgId) {
    return (
      <main class="page">
        {orgs.error ? (
          <ErrorNote error={orgs.error} />
        ) : orgs.data?.length === 0 ? (
          <p>No orgs yet.</p>
        ) : (
          <Loading />
        )}
      </main>
    );
  }
  return <OrgShell me={me.data} orgId={orgId} orgs={orgs.data ?? []} path={path} onSignOut={onSignOut} />;
}

function OrgShell(props: {
  me: Schemas["WhoAmI"];
  orgId: string;
  orgs: Schemas["Org"][];
  path: string;
  onSignOut: () => void;
}) {
  const { me, orgId, orgs, path } = props;
  const admin = me.kind === "operator" || me.user?.accessRole === "admin";
  const users = useApi(async () => {
    if (!admin) return me.user ? [me.user] : [];
    const page = await call(
      api.GET("/v1/orgs/{orgId}/users", { params: { path: { orgId }, query: { limit: "200" } } }),
    );
    return page.items;
  }, [orgId, admin]);
  const value = useMemo<Session>(
    () => ({
      me,
      orgId,
      admin,
      users: new Map((users.data ?? []).map((user) => [user.id, user])),
      reloadUsers: () => void users.reload(),
    }),
    [me, orgId, admin, users.data],
  );
  const section = path.split("/")[3] ?? "";
  return (
    <SessionContext.Provider value={value}>
      <header class="top">
        <strong class="brand">Kith</strong>
        {orgs.length > 1 ? (
          <select
            aria-label="Org"
            value={orgId}
            onChange={(event) => navigate(`/orgs/${event.currentTarget.value}/${section || "people"}`)}
          >
            {orgs.map((org) => (
              <option key={org.id} value={org.id}>
                {org.name}
              </option>
            ))}
          </select>
        ) : null}
        <nav>
          {PAGES.filter((page) => admin || !page.admin).map((page) => (
            <Link
              key={page.path}
              href={`/orgs/${orgId}/${page.path}`}
              class={section === page.path ? "active" : ""}
            >
              {page.label}
            </Link>
          ))}
        </nav>
        <span class="who muted">{me.kind === "operator" ? "operator" : me.user?.name}</span>
        <button type="button" class="secondary" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main class="page">
        <Route path={path} />
      </main>
    </SessionContext.Provider>
  );
}

/** Each page by its path under `/orgs/:orgId`; the first match renders. */
const ROUTES: { pattern: string; render: (params: Record<string, string>) => JSX.Element }[] = [
  { pattern: "people", render: () => <People /> },
  { pattern: "people/:userId", render: (p) => <Person userId={p.userId ?? ""} /> },
  { pattern: "unmapped", render: () => <Unmapped /> },
  { pattern: "integrations", render: () => <Integrations /> },
  { pattern: "mailbox", render: () => <Mailbox /> },
  { pattern: "collections", render: () => <Collections /> },
  { pattern: "collections/:collectionId", render: (p) => <Contacts collectionId={p.collectionId ?? ""} /> },
  {
    pattern: "collections/:collectionId/contacts/:contactId",
    render: (p) => <Contact collectionId={p.collectionId ?? ""} contactId={p.contactId ?? ""} />,
  },
  { pattern: "unresolved", render: () => <Unresolved /> },
  { pattern: "rules", render: () => <Rules /> },
];

function Route({ path }: { path: string }) {
  for (const route of ROUTES) {
    const params = match(`/orgs/:orgId/${route.pattern}`, path);
    if (params) return route.render(params);
  }
  return <p>This page does not exist.</p>;
}

const root = document.getElementById("app");
if (root) render(<App />, root);
