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
  #stopped = false;
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

  /**
   * Restarts until DynamoDB Local is back or the runtime stops: a failed restart (its port briefly
   * held, a JVM slow to boot on a loaded machine) is tried again after a growing pause, up to 30 s,
   * rather than leaving the runtime without storage until someone restarts it.
   */
  async #recover(exit: DynamoExit): Promise<void> {
    this.#restarting = true;
    this.#lastExit = { code: exit.code, signal: exit.signal, at: new Date().toISOString() };
    log("error", "DynamoDB Local exited on its own; restarting it", { code: exit.code, signal: exit.signal });
    try {
      for (let attempt = 1; !this.#stopped && !this.dynamo.stopped; attempt++) {
        try {
          await this.dynamo.restart();
          this.#restarts += 1;
          await ensureTable(this.client, this.tableName);
          this.#lastError = undefined;
          log("info", "DynamoDB Local is back", { restarts: this.#restarts });
          return;
        } catch (error) {
          this.#lastError = (error as Error).message;
          // The runtime is stopping: DynamoDB Local refuses restarts once told to stop.
          if (this.#stopped || this.dynamo.stopped) return;
          const pauseMs = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
          log("error", "DynamoDB Local could not be restarted; trying again", {
            error: this.#lastError,
            attempt,
            retryInMs: pauseMs,
          });
          await new Promise((resolve) => setTimeout(resolve, pauseMs).unref());
        }
      }
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
    this.#stopped = true;
    this.#unsubscribe();
  }
}
