import { useState } from "preact/hooks";
import { api, call, session } from "../api/client";
import { ErrorNote, useAction } from "../ui";

/** A user token (`kith_…`) or the operator token; checked with /v1/whoami, kept in session storage. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      session.signIn(token.trim());
      try {
        await call(api.GET("/v1/whoami"));
      } catch (error) {
        session.signOut();
        throw error;
      }
      onSignedIn();
    });
  };
  return (
    <main class="page narrow">
      <h1>Kith console</h1>
      <form class="card stack" onSubmit={submit}>
        <label>
          Token
          <input
            type="password"
            name="token"
            autoComplete="off"
            placeholder="kith_… or the operator token"
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
            required
          />
        </label>
        <button type="submit" disabled={action.busy || !token.trim()}>
          Sign in
        </button>
        <ErrorNote error={action.error} />
        <p class="muted">
          The token stays in this tab's session storage.
          {import.meta.env.VITE_KITH_API_URL ? null : (
            <>
              {" "}
              Locally the operator token is <code>local-operator-key</code> unless you set{" "}
              <code>OPERATOR_API_KEY</code>.
            </>
          )}
        </p>
      </form>
    </main>
  );
}
