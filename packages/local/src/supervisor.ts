import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoExit, DynamoLocal } from "./dynamo";
import { ensureTable } from "./dynamo";
import type { ComponentHealth } from "./health";
import { log } from "./log";

/**
 * Keeps DynamoDB Local up: when its JVM dies on its own (out of memory, killed), it is started
 * again on the same port and data directory, and the table is brought up to date (an in-memory
 * database starts empty). Meanwhile handlers get a retryable 503 (`storage_unavailable`), and
 * `/_local/health` shows the component down, then how often it was restarted and why.
 */
export class DynamoSupervisor {
  #restarts = 0;
  #restarting = false;
  #lastExit: { code: number | null; signal: string | null; at: string } | undefined;
  #lastError: string | undefined;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly dynamo: DynamoLocal,
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.#unsubscribe = dynamo.onExit((exit) => {
      if (!exit.expected) void this.#recover(exit);
    });
  }

  async #recover(exit: DynamoExit): Promise<void> {
    this.#restarting = true;
    this.#lastExit = { code: exit.code, signal: exit.signal, at: new Date().toISOString() };
    log("error", "DynamoDB Local exited on its own; restarting it", { code: exit.code, signal: exit.signal });
    try {
      await this.dynamo.restart();
      this.#restarts += 1;
      await ensureTable(this.client, this.tableName);
      this.#lastError = undefined;
      log("info", "DynamoDB Local is back", { restarts: this.#restarts });
    } catch (error) {
      this.#lastError = (error as Error).message;
      log("error", "DynamoDB Local could not be restarted", { error: this.#lastError });
    } finally {
      this.#restarting = false;
    }
  }

  /** What `/_local/health` adds to the DynamoDB component. */
  status(): Partial<ComponentHealth> {
    return {
      pid: this.dynamo.process.pid,
      restarts: this.#restarts,
      restarting: this.#restarting,
      ...(this.#lastExit ? { lastExit: this.#lastExit } : {}),
      ...(this.#lastError ? { lastRestartError: this.#lastError } : {}),
    };
  }

  stop(): void {
    this.#unsubscribe();
  }
}
