import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useFreshTable } from "../../../../test/support/integration";
import { ConditionFailed, db, TransactionCancelled } from "./index";

describe("storage client against DynamoDB Local", () => {
  let drop: () => Promise<void>;
  beforeEach(async () => {
    ({ drop } = await useFreshTable());
  });
  afterEach(() => drop());

  it("a conditional put on an existing key throws ConditionFailed, a typed 409, and leaves the item as it was", async () => {
    await db.put({ Item: { pk: "CLAIM#a", sk: "CLAIM", owner: "first" } });

    const second = db.put({
      Item: { pk: "CLAIM#a", sk: "CLAIM", owner: "second" },
      ConditionExpression: "attribute_not_exists(pk)",
    });

    await expect(second).rejects.toBeInstanceOf(ConditionFailed);
    await expect(second).rejects.toMatchObject({ status: 409, code: "condition_failed" });
    const stored = await db.get({ Key: { pk: "CLAIM#a", sk: "CLAIM" } });
    expect(stored.Item?.owner).toBe("first");
  });

  it("a cancelled transaction names the item whose condition failed and writes nothing", async () => {
    await db.put({ Item: { pk: "CLAIM#taken", sk: "CLAIM" } });

    const attempt = db.transactWrite([
      { Put: { Item: { pk: "USER#1", sk: "USER" }, ConditionExpression: "attribute_not_exists(pk)" } },
      { Put: { Item: { pk: "CLAIM#taken", sk: "CLAIM" }, ConditionExpression: "attribute_not_exists(pk)" } },
    ]);

    const error = await attempt.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCancelled);
    expect((error as TransactionCancelled).failedConditions()).toEqual([1]);
    expect((error as TransactionCancelled).status).toBe(409);
    const user = await db.get({ Key: { pk: "USER#1", sk: "USER" } });
    expect(user.Item).toBeUndefined();
  });

  it("undefined attributes are dropped instead of failing the write", async () => {
    await db.put({ Item: { pk: "OPT#1", sk: "OPT", present: "yes", absent: undefined } });

    const stored = await db.get({ Key: { pk: "OPT#1", sk: "OPT" } });

    expect(stored.Item).toEqual({ pk: "OPT#1", sk: "OPT", present: "yes" });
  });
});
