import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { StreamDefinition } from "../../../manifest";
import { invoke } from "./lambda";
import { log } from "./log";

export interface StreamPollerStatus {
  stream: string;
  running: boolean;
  batches: number;
  delivered: number;
  /** Records handed to the consumer again after a failure. */
  retried: number;
  /** Batches reported to the DLQ after `maxRecordAgeSeconds`. */
  reported: number;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Records read from the stream but not yet acknowledged by the consumer. */
  behind: boolean;
}

export interface StreamPollerOptions {
  /** Where each shard's position is kept, so a restart resumes where the last run stopped. */
  checkpointFile?: string;
  /** The SQS DLQ that batches given up on are reported to (`streamDeadLetterQueuePhysicalName`). */
  deadLetterQueue: { sqs: SQSClient; url: string };
  region?: string;
  /** Idle wait between polls of a caught-up shard. */
  idleMs?: number;
  /** First retry delay after a failure; doubles per attempt up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** The clock records are aged by (tests move it). */
  now?: () => number;
}

interface Checkpoints {
  streamArn?: string;
  /** Shard id → the last sequence number the consumer acknowledged (or skipped by the filter). */
  shards: Record<string, string>;
  /** Closed shards read to their end. */
  finished: string[];
}

interface ShardState {
  shard: Shard;
  iterator?: string;
  /** Records read but not yet acknowledged, oldest first. */
  pending: StreamRecord[];
  failures: number;
  retryAt: number;
}

/**
 * Delivers the table's stream to a manifest stream consumer the way Lambda's DynamoDB event-source
 * mapping does: from the oldest record (TRIM_HORIZON), parent shards before their children, only
 * records the entry's filter accepts (`passesStreamFilter`), in batches of at most
 * `batchSize` in the `DynamoDBStreamEvent` shape. A batch is acknowledged up to the first record
 * the consumer reports in `batchItemFailures` (all of it on a throw or timeout); the rest is
 * retried, with backoff, until its first record is older than `maxRecordAgeSeconds`, when the
 * batch is reported to the DLQ (in Lambda's on-failure record shape) and skipped. Positions are
 * kept in `checkpointFile`, so a killed process resumes without losing a record; what it had
 * delivered but not checkpointed is delivered again, which consumers dedupe.
 */
export class StreamPoller {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #checkpoints: Checkpoints = { shards: {}, finished: [] };
  readonly #shards = new Map<string, ShardState>();
  readonly #status: StreamPollerStatus;

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly tableName: string,
    private readonly definition: StreamDefinition,
    private readonly options: StreamPollerOptions,
  ) {
    this.#status = {
      stream: definition.name,
      running: false,
      batches: 0,
      delivered: 0,
      retried: 0,
      reported: 0,
      lastError: null,
      lastErrorAt: null,
      behind: false,
    };
    this.#checkpoints = this.#loadCheckpoints();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#status.running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    this.#status.running = false;
  }

  status(): StreamPollerStatus {
    return { ...this.#status };
  }

  /**
   * Resolves once every record written before the call has been delivered and acknowledged (or the
   * timeout passes): what a clean shutdown waits for, so committed events reach the bus.
   */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let caughtUp = 0;
    while (Date.now() < deadline) {
      this.#wake?.();
      if (!this.#status.behind && (await this.#atEnd())) {
        // Twice in a row: a record written just before the call may still be on its way to a shard.
        caughtUp += 1;
        if (caughtUp >= 2) return true;
      } else {
        caughtUp = 0;
      }
      await sleep(50);
    }
    return false;
  }

  /** Whether every shard is acknowledged to its end, read with iterators of its own from the checkpoints. */
  async #atEnd(): Promise<boolean> {
    for (const state of this.#shards.values()) {
      if (state.pending.length > 0) return false;
    }
    const arn = await this.#streamArn().catch(() => undefined);
    if (!arn || this.#checkpoints.streamArn !== arn) return !arn;
    for (const state of this.#shards.values()) {
      const peek = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: await this.#newIterator(arn, state), Limit: 1 }),
      );
      if ((peek.Records ?? []).length > 0) return false;
    }
    return true;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let busy = false;
      try {
        busy = await this.#pollOnce();
      } catch (error) {
        this.#fail(error);
      }
      if (!busy && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.idleMs ?? 250);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  #fail(error: unknown): void {
    this.#status.lastError = (error as Error).message;
    this.#status.lastErrorAt = new Date().toISOString();
  }

  async #streamArn(): Promise<string | undefined> {
    const described = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
    return described.Table?.LatestStreamArn;
  }

  /** One round over the shards; true when it delivered or read something (poll again at once). */
  async #pollOnce(): Promise<boolean> {
    const arn = await this.#streamArn();
    if (!arn) return false;
    if (this.#checkpoints.streamArn !== arn) {
      // A new table (or stream): positions in the old one mean nothing here.
      this.#checkpoints = { streamArn: arn, shards: {}, finished: [] };
      this.#shards.clear();
      this.#saveCheckpoints();
    }
    await this.#refreshShards(arn);
    let busy = false;
    for (const state of this.#readyShards()) {
      busy = (await this.#pollShard(arn, state)) || busy;
      if (!this.#running) break;
    }
    this.#status.behind = [...this.#shards.values()].some((state) => state.pending.length > 0);
    return busy;
  }

  async #refreshShards(arn: string): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of page.StreamDescription?.Shards ?? []) {
        const id = shard.ShardId as string;
        const known = this.#shards.get(id);
        if (known) known.shard = shard;
        else if (!this.#checkpoints.finished.includes(id))
          this.#shards.set(id, { shard, pending: [], failures: 0, retryAt: 0 });
      }
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  /** Shards whose parent is read to its end (or gone), oldest first: a child never overtakes its parent. */
  #readyShards(): ShardState[] {
    return [...this.#shards.values()].filter((state) => {
      const parent = state.shard.ParentShardId;
      return !parent || !this.#shards.has(parent);
    });
  }

  async #iteratorFor(arn: string, state: ShardState): Promise<string | undefined> {
    state.iterator ??= await this.#newIterator(arn, state);
    return state.iterator;
  }

  /** An iterator just after the shard's checkpoint (from its oldest record when it has none). */
  async #newIterator(arn: string, state: ShardState): Promise<string | undefined> {
    const id = state.shard.ShardId as string;
    const after = this.#checkpoints.shards[id];
    const result = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: id,
        ...(after
          ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: after }
          : { ShardIteratorType: "TRIM_HORIZON" }),
      }),
    );
    return result.ShardIterator;
  }

  async #pollShard(arn: string, state: ShardState): Promise<boolean> {
    const id = state.shard.ShardId as string;
    if (state.pending.length === 0) {
      const iterator = await this.#iteratorFor(arn, state);
      if (!iterator) return this.#finishShard(state);
      let page: { Records?: StreamRecord[]; NextShardIterator?: string };
      try {
        page = await this.streams.send(
          new GetRecordsCommand({
            ShardIterator: iterator,
            Limit: Math.min(1000, this.definition.batchSize * 10),
          }),
        );
      } catch (error) {
        // An expired or trimmed iterator: start again from the checkpoint.
        state.iterator = undefined;
        throw error;
      }
      state.iterator = page.NextShardIterator;
      state.pending = page.Records ?? [];
      if (state.pending.length === 0) return state.iterator ? false : this.#finishShard(state);
    }
    if (Date.now() < state.retryAt) return false;

    // The event filter: records it rejects are acknowledged without a delivery.
    const passes = (record: StreamRecord | undefined) =>
      !!record && passesStreamFilter(this.definition, record);
    while (state.pending.length > 0 && !passes(state.pending[0])) {
      this.#acknowledge(id, state.pending.shift() as StreamRecord);
    }
    const batch: StreamRecord[] = [];
    for (const record of state.pending) {
      if (batch.length >= this.definition.batchSize) break;
      if (passes(record)) batch.push(record);
    }
    if (batch.length === 0) {
      this.#saveCheckpoints();
      return true;
    }
    const last = batch[batch.length - 1] as StreamRecord;
    const failedAt = await this.#deliver(arn, batch);
    this.#status.batches += 1;
    if (failedAt === undefined) {
      this.#status.delivered += batch.length;
      // Everything up to the batch's last record is done, filtered records in between included.
      while (state.pending.length > 0) {
        const record = state.pending.shift() as StreamRecord;
        this.#acknowledge(id, record);
        if (record === last) break;
      }
      state.failures = 0;
      this.#saveCheckpoints();
      return true;
    }
    // Acknowledge what came before the first failure, then retry from it after a backoff.
    const failed = batch[failedAt] as StreamRecord;
    while (state.pending.length > 0 && state.pending[0] !== failed) {
      this.#acknowledge(id, state.pending.shift() as StreamRecord);
    }
    this.#status.delivered += failedAt;
    this.#saveCheckpoints();
    const ageSeconds = ((this.options.now?.() ?? Date.now()) - arrival(failed)) / 1000;
    if (ageSeconds > this.definition.maxRecordAgeSeconds) {
      await this.#report(arn, id, batch.slice(failedAt), "RecordAgeExceeded");
      while (state.pending.length > 0) {
        const record = state.pending.shift() as StreamRecord;
        this.#acknowledge(id, record);
        if (record === last) break;
      }
      state.failures = 0;
      this.#saveCheckpoints();
      return true;
    }
    state.failures += 1;
    this.#status.retried += batch.length - failedAt;
    const base = this.options.retryDelayMs ?? 500;
    const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, base * 2 ** (state.failures - 1));
    state.retryAt = Date.now() + delay;
    return false;
  }

  #finishShard(state: ShardState): boolean {
    // A closed shard read to its end: its children may start.
    if (state.shard.SequenceNumberRange?.EndingSequenceNumber) {
      const id = state.shard.ShardId as string;
      this.#shards.delete(id);
      this.#checkpoints.finished.push(id);
      this.#saveCheckpoints();
      return true;
    }
    return false;
  }

  #acknowledge(shardId: string, record: StreamRecord): void {
    const sequence = record.dynamodb?.SequenceNumber;
    if (sequence) this.#checkpoints.shards[shardId] = sequence;
  }

  /** Invokes the consumer; the index of the first record it failed, or undefined when all succeeded. */
  async #deliver(arn: string, batch: StreamRecord[]): Promise<number | undefined> {
    const event: DynamoDBStreamEvent = {
      Records: batch.map((record) => toLambdaRecord(record, arn, this.options.region)),
    };
    try {
      const response = (await invoke(
        this.definition.consumer,
        event,
        this.definition.consumerTimeoutSeconds,
      )) as DynamoDBBatchResponse | undefined;
      const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      if (failed.size === 0) return undefined;
      const index = batch.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber as string));
      // A report naming no record of the batch fails all of it, as in Lambda.
      if (index < 0) this.#fail(new Error("consumer reported an unknown itemIdentifier"));
      else this.#fail(new Error(`consumer failed record ${batch[index]?.dynamodb?.SequenceNumber}`));
      return index < 0 ? 0 : index;
    } catch (error) {
      this.#fail(error);
      log("error", `stream consumer ${this.definition.name} failed; the batch will be retried`, {
        error: (error as Error).message,
      });
      return 0;
    }
  }

  /** Lambda's on-failure record for a stream batch: where it was, not what it held. */
  async #report(arn: string, shardId: string, batch: StreamRecord[], condition: string): Promise<void> {
    const first = batch[0];
    const last = batch[batch.length - 1];
    const body = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:local:000000000000:function:${this.definition.name}`,
        condition,
        approximateInvokeCount: 1,
      },
      version: "1.0",
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first?.dynamodb?.SequenceNumber,
        endSequenceNumber: last?.dynamodb?.SequenceNumber,
        approximateArrivalOfFirstRecord: first ? new Date(arrival(first)).toISOString() : undefined,
        approximateArrivalOfLastRecord: last ? new Date(arrival(last)).toISOString() : undefined,
        batchSize: batch.length,
        streamArn: arn,
      },
    };
    await this.options.deadLetterQueue.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.options.deadLetterQueue.url,
        MessageBody: JSON.stringify(body),
      }),
    );
    this.#status.reported += 1;
    log(
      "error",
      `stream consumer ${this.definition.name} gave up on ${batch.length} record(s); reported to its DLQ`,
      {
        shardId,
      },
    );
  }

  #loadCheckpoints(): Checkpoints {
    if (!this.options.checkpointFile) return { shards: {}, finished: [] };
    try {
      const parsed = JSON.parse(readFileSync(this.options.checkpointFile, "utf8")) as Partial<Checkpoints>;
      return { streamArn: parsed.streamArn, shards: parsed.shards ?? {}, finished: parsed.finished ?? [] };
    } catch {
      return { shards: {}, finished: [] };
    }
  }

  /** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. */
  #saveCheckpoints(): void {
    const file = this.options.checkpointFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.#checkpoints));
    renameSync(temporary, file);
  }
}

/**
 * Whether a record passes the entry's filter, as the event filters `stacks/streams.ts` gives its
 * mapping would: an entity filter looks at both images, since a REMOVE record has only the old one,
 * and `eventNames`, when declared, at the record's kind.
 */
function passesStreamFilter(definition: StreamDefinition, record: StreamRecord): boolean {
  const { NewImage, OldImage } = record.dynamodb ?? {};
  if (definition.entity === undefined) return !!NewImage?.[definition.newImageAttribute];
  const eventNames: readonly string[] | undefined = definition.eventNames;
  if (eventNames && !eventNames.includes(record.eventName ?? "")) return false;
  const entities: readonly string[] = definition.entity;
  return [NewImage, OldImage].some((image) => {
    const entity = image?.entity?.S;
    return entity !== undefined && entities.includes(entity);
  });
}

function arrival(record: StreamRecord): number {
  const time = record.dynamodb?.ApproximateCreationDateTime;
  return time instanceof Date ? time.getTime() : typeof time === "number" ? time * 1000 : Date.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A stream record as Lambda hands it to a function (attribute values stay in DynamoDB JSON). */
function toLambdaRecord(record: StreamRecord, arn: string, region = "us-east-1"): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord["eventName"],
    eventVersion: record.eventVersion ?? "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: region,
    eventSourceARN: arn,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(arrival(record) / 1000),
      Keys: stream.Keys as never,
      NewImage: stream.NewImage as never,
      OldImage: stream.OldImage as never,
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType as never,
    },
  };
}
