import { Cron } from "croner";
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS, type ScheduleDefinition } from "../../../manifest";
import { toLocalCron } from "./cron";
import { invoke } from "./lambda";
import { log } from "./log";

export interface ScheduleStatus {
  name: string;
  cron: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastError: string | null;
  runs: number;
}

/** Runs each manifest schedule on its cron, in UTC, and lets any of them be fired on demand. */
export class LocalScheduler {
  readonly #jobs = new Map<string, { definition: ScheduleDefinition; cron: Cron; status: ScheduleStatus }>();

  constructor(schedules: readonly ScheduleDefinition[], options: { enabled: boolean }) {
    for (const definition of schedules) {
      const status: ScheduleStatus = {
        name: definition.name,
        cron: definition.cron,
        nextRunAt: null,
        lastRunAt: null,
        lastError: null,
        runs: 0,
      };
      const cron = new Cron(
        toLocalCron(definition.cron),
        { timezone: "UTC", paused: !options.enabled, protect: true },
        () => this.fire(definition.name).catch(() => undefined),
      );
      this.#jobs.set(definition.name, { definition, cron, status });
    }
  }

  has(name: string): boolean {
    return this.#jobs.has(name);
  }

  /** Invokes the schedule's handler now with the event EventBridge would send. */
  async fire(name: string): Promise<void> {
    const job = this.#jobs.get(name);
    if (!job) throw new Error(`no schedule named ${name}`);
    const now = new Date();
    job.status.lastRunAt = now.toISOString();
    job.status.runs++;
    const region = process.env.AWS_REGION ?? "us-east-1";
    try {
      await invoke(
        job.definition.handler,
        {
          version: "0",
          id: crypto.randomUUID(),
          "detail-type": "Scheduled Event",
          source: "aws.events",
          account: "000000000000",
          time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
          region,
          resources: [`arn:aws:events:${region}:000000000000:rule/kith-local-${name}`],
          detail: {},
        },
        job.definition.timeoutSeconds ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS,
      );
      job.status.lastError = null;
    } catch (error) {
      job.status.lastError = (error as Error).message;
      log("error", `schedule ${name} failed`, { error: (error as Error).message });
      throw error;
    }
  }

  status(): ScheduleStatus[] {
    return [...this.#jobs.values()].map(({ cron, status }) => ({
      ...status,
      nextRunAt: cron.isRunning() ? (cron.nextRun()?.toISOString() ?? null) : null,
    }));
  }

  stop(): void {
    for (const { cron } of this.#jobs.values()) cron.stop();
  }
}
