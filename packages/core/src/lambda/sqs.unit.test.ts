import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { fakeContext, sqsEvent, sqsRecord } from "../../../../test/support/lambda-fixtures";
import { sqsConsumer, UnprocessableMessage } from "./sqs";

const Message = z.object({ id: z.string(), n: z.number() });
type Message = z.infer<typeof Message>;

function failedIds(response: SQSBatchResponse): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}

/** A record handler that records the ids it saw and throws for the ids in `failFor`. */
function recordingHandler(failFor: string[] = []) {
  return vi.fn(async (message: Message, _record: SQSRecord) => {
    if (failFor.includes(message.id)) throw new Error(`handler failed for ${message.id}`);
  });
}

function handledIds(handler: ReturnType<typeof recordingHandler>): string[] {
  return handler.mock.calls.map(([message]) => message.id);
}

beforeEach(() => {
  // Powertools batch reports failures on the console, the logger on stdout: keep test output clean.
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  vi.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("sqsConsumer on a standard queue", () => {
  it("a non-JSON body and a body that fails the schema are reported; the valid record is handled once", async () => {
    // prepare
    const handle = recordingHandler();
    const consumer = sqsConsumer({ body: Message }, handle);
    const notJson = sqsRecord({ messageId: "m-not-json", body: "{not json" });
    const wrongShape = sqsRecord({ messageId: "m-wrong-shape", body: { id: "b", n: "not a number" } });
    const valid = sqsRecord({ messageId: "m-valid", body: { id: "c", n: 3 } });

    // act
    const response = await consumer(sqsEvent([notJson, wrongShape, valid]), fakeContext());

    // assess
    expect(failedIds(response).sort()).toEqual(["m-not-json", "m-wrong-shape"]);
    expect(handle).toHaveBeenCalledTimes(1);
    expect(handle.mock.calls[0]?.[0]).toEqual({ id: "c", n: 3 });
    expect(handle.mock.calls[0]?.[1].messageId).toBe("m-valid");
  });

  it("a handler that throws for one record reports only that record", async () => {
    // prepare
    const handle = recordingHandler(["b"]);
    const consumer = sqsConsumer({ body: Message }, handle);
    const records = ["a", "b", "c"].map((id, n) => sqsRecord({ messageId: `m-${id}`, body: { id, n } }));

    // act
    const response = await consumer(sqsEvent(records), fakeContext());

    // assess
    expect(failedIds(response)).toEqual(["m-b"]);
    expect(handledIds(handle)).toEqual(["a", "b", "c"]);
  });

  it("an all-good batch reports no failures", async () => {
    // prepare
    const handle = recordingHandler();
    const consumer = sqsConsumer({ body: Message }, handle);
    const records = ["a", "b", "c"].map((id, n) => sqsRecord({ body: { id, n } }));

    // act
    const response = await consumer(sqsEvent(records), fakeContext());

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handle).toHaveBeenCalledTimes(3);
  });

  it("a batch in which every record fails reports all of them instead of throwing", async () => {
    // prepare
    const handle = recordingHandler(["a", "b"]);
    const consumer = sqsConsumer({ body: Message }, handle);
    const records = ["a", "b"].map((id, n) => sqsRecord({ messageId: `m-${id}`, body: { id, n } }));

    // act
    const response = await consumer(sqsEvent(records), fakeContext());

    // assess
    expect(failedIds(response).sort()).toEqual(["m-a", "m-b"]);
  });

  it("the handler receives the schema's output, not the raw JSON", async () => {
    // prepare
    const schema = z.object({ at: z.string().transform((value) => new Date(value)) });
    const seen: unknown[] = [];
    const consumer = sqsConsumer({ body: schema }, async (message) => {
      seen.push(message.at);
    });

    // act
    await consumer(sqsEvent([sqsRecord({ body: { at: "2026-01-01T00:00:00Z" } })]), fakeContext());

    // assess
    expect(seen).toEqual([new Date("2026-01-01T00:00:00Z")]);
  });

  it("a failure in one invocation is not reported again in the next", async () => {
    // prepare
    const handle = recordingHandler(["bad"]);
    const consumer = sqsConsumer({ body: Message }, handle);

    // act
    const first = await consumer(
      sqsEvent([sqsRecord({ messageId: "m-bad", body: { id: "bad", n: 1 } })]),
      fakeContext(),
    );
    const second = await consumer(
      sqsEvent([sqsRecord({ messageId: "m-good", body: { id: "good", n: 2 } })]),
      fakeContext(),
    );

    // assess
    expect(failedIds(first)).toEqual(["m-bad"]);
    expect(failedIds(second)).toEqual([]);
  });
});

describe("sqsConsumer on a FIFO queue", () => {
  it("after a failure in a group, later records of that group are reported unprocessed while other groups continue", async () => {
    // prepare
    const handle = recordingHandler(["g1-2"]);
    const consumer = sqsConsumer({ body: Message, fifo: true }, handle);
    const order = [
      ["g1", "g1-1"],
      ["g2", "g2-1"],
      ["g1", "g1-2"],
      ["g2", "g2-2"],
      ["g1", "g1-3"],
      ["g3", "g3-1"],
      ["g1", "g1-4"],
    ] as const;
    const records = order.map(([group, id], n) =>
      sqsRecord({ messageId: `m-${id}`, messageGroupId: group, body: { id, n } }),
    );

    // act
    const response = await consumer(sqsEvent(records), fakeContext());

    // assess
    expect(failedIds(response)).toEqual(["m-g1-2", "m-g1-3", "m-g1-4"]);
    expect(handledIds(handle)).toEqual(["g1-1", "g2-1", "g1-2", "g2-2", "g3-1"]);
  });

  it("an unparseable record also stops the rest of its group", async () => {
    // prepare
    const handle = recordingHandler();
    const consumer = sqsConsumer({ body: Message, fifo: true }, handle);
    const records = [
      sqsRecord({ messageId: "m-a1", messageGroupId: "a", body: "not json" }),
      sqsRecord({ messageId: "m-b1", messageGroupId: "b", body: { id: "b1", n: 1 } }),
      sqsRecord({ messageId: "m-a2", messageGroupId: "a", body: { id: "a2", n: 2 } }),
    ];

    // act
    const response = await consumer(sqsEvent(records), fakeContext());

    // assess
    expect(failedIds(response)).toEqual(["m-a1", "m-a2"]);
    expect(handledIds(handle)).toEqual(["b1"]);
  });

  it("a failed group in one batch does not block that group in the next batch", async () => {
    // prepare
    const handle = recordingHandler(["a1"]);
    const consumer = sqsConsumer({ body: Message, fifo: true }, handle);

    // act
    const first = await consumer(
      sqsEvent([sqsRecord({ messageId: "m-a1", messageGroupId: "a", body: { id: "a1", n: 1 } })]),
      fakeContext(),
    );
    const second = await consumer(
      sqsEvent([sqsRecord({ messageId: "m-a2", messageGroupId: "a", body: { id: "a2", n: 2 } })]),
      fakeContext(),
    );

    // assess
    expect(failedIds(first)).toEqual(["m-a1"]);
    expect(failedIds(second)).toEqual([]);
    expect(handledIds(handle)).toEqual(["a1", "a2"]);
  });

  it("records of a group are handled in batch order", async () => {
    // prepare
    const handle = recordingHandler();
    const consumer = sqsConsumer({ body: Message, fifo: true }, handle);
    const ids = ["x1", "x2", "x3", "x4"];

    // act
    const response = await consumer(
      sqsEvent(ids.map((id, n) => sqsRecord({ messageGroupId: "x", body: { id, n } }))),
      fakeContext(),
    );

    // assess
    expect(failedIds(response)).toEqual([]);
    expect(handledIds(handle)).toEqual(ids);
  });
});

describe("UnprocessableMessage", () => {
  it("is an Error with its own name", () => {
    // act
    const error = new UnprocessableMessage("m");

    // assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("UnprocessableMessage");
  });
});
