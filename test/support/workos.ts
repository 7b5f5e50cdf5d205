import { createDirectoryClient, type DirectoryClient } from "@kith/core/directory";
import { WorkOSSandbox } from "@kith/sandbox";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { useFreshTable } from "./integration";

export interface DirectoryHarness {
  /** A fresh WorkOS sandbox per test, with `WORKOS_API_URL` pointing at it. */
  readonly sandbox: WorkOSSandbox;
  /** The real `@workos-inc/node` client on the sandbox, with SDK retries off. */
  readonly client: DirectoryClient;
}

/**
 * Directory sync tests: one fresh table for the file (no bus, so domain events are skipped), and
 * a fresh WorkOS sandbox and client for each test (registered as the vitest hooks).
 */
export function useDirectorySandbox(): DirectoryHarness {
  let drop: (() => Promise<void>) | undefined;
  let sandbox: WorkOSSandbox | undefined;
  let client: DirectoryClient | undefined;

  beforeAll(async () => {
    ({ drop } = await useFreshTable());
    delete process.env.KITH_EVENT_BUS_NAME;
  });
  afterAll(async () => drop?.());

  beforeEach(async () => {
    sandbox = await WorkOSSandbox.start();
    process.env.WORKOS_API_URL = sandbox.url;
    client = createDirectoryClient(sandbox.apiKey, { maxRetries: 0 });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await sandbox?.close();
  });

  return {
    get sandbox() {
      if (!sandbox) throw new Error("the WorkOS sandbox starts in beforeEach");
      return sandbox;
    },
    get client() {
      if (!client) throw new Error("the directory client is created in beforeEach");
      return client;
    },
  };
}
