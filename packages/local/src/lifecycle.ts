/**
 * Stops what has been started, in reverse order, whenever a stop is asked for: after startup, or
 * in the middle of it (Ctrl-C while DynamoDB Local is still booting must not orphan the JVM).
 */
export class Lifecycle {
  readonly #stops: (() => Promise<void>)[] = [];
  #stopping: Promise<void> | undefined;

  get stopped(): boolean {
    return this.#stopping !== undefined;
  }

  /** Registers a stop; if a stop was already asked for, runs it at once. */
  add(stop: () => Promise<void>): void {
    if (this.#stopping) {
      void stop().catch(() => undefined);
      return;
    }
    this.#stops.push(stop);
  }

  /** Throws when a stop was asked for, so startup does not go on building what is being torn down. */
  assertRunning(): void {
    if (this.#stopping) throw new StartupCancelled();
  }

  stop(onError: (error: Error) => void = () => undefined): Promise<void> {
    this.#stopping ??= (async () => {
      while (this.#stops.length > 0) {
        const stop = this.#stops.pop();
        await stop?.().catch(onError);
      }
    })();
    return this.#stopping;
  }
}

export class StartupCancelled extends Error {
  override readonly name = "StartupCancelled";
  constructor() {
    super("startup was cancelled by a stop request");
  }
}
