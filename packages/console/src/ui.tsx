import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api/client";

/** An API error as the API worded it; never a blank page. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <p class="error" role="alert">
      {message}
      {code ? <span class="muted"> ({code})</span> : null}
    </p>
  );
}

export function Loading() {
  return <p class="muted">Loading…</p>;
}

/** One API read: its data, its error, and a reload. */
export function useApi<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ ...previous, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A list read page by page with the API's cursors: "Load more" appends the next page. */
export function usePages<T>(loadPage: (cursor?: string) => Promise<Page<T>>, deps: unknown[]) {
  const [state, setState] = useState<{ items: T[]; next: string | null; error?: unknown; loading: boolean }>({
    items: [],
    next: null,
    loading: true,
  });
  const generation = useRef(0);
  const fetchPage = useCallback(async (cursor?: string) => {
    const mine = cursor ? generation.current : ++generation.current;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    try {
      const page = await loadPage(cursor);
      if (mine !== generation.current) return;
      setState((previous) => ({
        items: cursor ? [...previous.items, ...page.items] : page.items,
        next: page.nextCursor,
        loading: false,
      }));
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ ...previous, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    void fetchPage();
  }, [fetchPage]);
  return {
    ...state,
    reload: () => fetchPage(),
    more: state.next ? () => fetchPage(state.next ?? undefined) : undefined,
  };
}

export function MoreButton({ more, loading }: { more?: () => void; loading: boolean }) {
  if (!more) return null;
  return (
    <button type="button" class="secondary" disabled={loading} onClick={more}>
      {loading ? "Loading…" : "Load more"}
    </button>
  );
}

/** Runs one API write: busy while it runs, its error kept for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function Badge({ tone, children }: { tone: string; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}
