import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { toLocalCron } from "./cron";

/** The next time a converted expression fires after `after`, evaluated in UTC as EventBridge does. */
function nextRun(expression: string, after: string): string | undefined {
  return new Cron(toLocalCron(expression), { timezone: "UTC" }).nextRun(new Date(after))?.toISOString();
}

describe("toLocalCron", () => {
  it.each([
    ["a daily time", "0 6 * * ? *", "0 6 * * *"],
    ["a step", "*/5 * * * ? *", "*/5 * * * *"],
    ["a day of month with ? weekday", "15 10 1 * ? *", "15 10 1 * *"],
    ["a weekday range", "0 9 ? * 2-6 *", "0 9 * * 1-5"],
    ["a weekday list", "0 0 ? * 1,7 *", "0 0 * * 0,6"],
    ["weekday names", "0 9 ? * MON-FRI *", "0 9 * * MON-FRI"],
    ["the nth weekday", "0 12 ? * 6#3 *", "0 12 * * 5#3"],
    ["the last weekday", "0 12 ? * 6L *", "0 12 * * 5L"],
    ["a stepped weekday range whose step is a count", "0 8 ? * 1-7/2 *", "0 8 * * 0-6/2"],
    ["a single weekday", "30 23 ? * 1 *", "30 23 * * 0"],
    ["extra whitespace", "  0   6 *  * ?   * ", "0 6 * * *"],
    ["a start/step minute (AWS's own example)", "0/15 * * * ? *", "0-59/15 * * * *"],
    ["start/step hours and days", "0 8/6 1/2 * ? *", "0 8-23/6 1-31/2 * *"],
    ["a start/step weekday", "0 0 ? * 2/2 *", "0 0 * * 1-6/2"],
  ])("%s: %s becomes %s", (_, eventBridge, local) => {
    expect(toLocalCron(eventBridge)).toBe(local);
  });

  it.each([
    ["five fields", "0 6 * * *"],
    ["seven fields", "0 0 6 * * ? *"],
    ["an empty string", ""],
  ])("refuses %s", (_, expression) => {
    expect(() => toLocalCron(expression)).toThrow(/six fields/);
  });

  it("refuses a concrete year rather than ignoring it", () => {
    expect(() => toLocalCron("0 6 * * ? 2027")).toThrow(/year/);
  });

  it("refuses ? in both day fields", () => {
    expect(() => toLocalCron("0 6 ? * ? *")).toThrow(/both/);
  });

  it.each([
    ["0", "0 9 ? * 0 *"],
    ["8", "0 9 ? * 8 *"],
    ["0 in a range", "0 9 ? * 0-5 *"],
    ["8 in a list", "0 9 ? * 1,8 *"],
  ])("refuses weekday %s, outside EventBridge's 1-7", (_, expression) => {
    expect(() => toLocalCron(expression)).toThrow(/outside EventBridge's 1-7/);
  });

  it("a converted daily schedule fires at the same UTC time as EventBridge", () => {
    expect(nextRun("0 6 * * ? *", "2026-01-01T07:00:00Z")).toBe("2026-01-02T06:00:00.000Z");
  });

  it("a converted Monday-to-Friday schedule skips the weekend", () => {
    // 2026-01-03 is a Saturday; EventBridge 2-6 is Monday to Friday.
    expect(nextRun("0 9 ? * 2-6 *", "2026-01-03T00:00:00Z")).toBe("2026-01-05T09:00:00.000Z");
  });

  it("a converted Sunday schedule fires on Sunday", () => {
    // EventBridge 1 is Sunday; 2026-01-04 is the first Sunday after Thursday 2026-01-01.
    expect(nextRun("0 0 ? * 1 *", "2026-01-01T00:00:00Z")).toBe("2026-01-04T00:00:00.000Z");
  });

  it("a converted third-Friday schedule fires on the third Friday", () => {
    // EventBridge 6 is Friday; the Fridays of January 2026 are the 2nd, 9th and 16th.
    expect(nextRun("0 12 ? * 6#3 *", "2026-01-01T00:00:00Z")).toBe("2026-01-16T12:00:00.000Z");
  });

  it("a converted five-minute schedule fires on the next multiple of five minutes", () => {
    expect(nextRun("*/5 * * * ? *", "2026-01-01T00:01:00Z")).toBe("2026-01-01T00:05:00.000Z");
  });

  it("a converted quarter-hourly 0/15 schedule fires every 15 minutes from the hour", () => {
    expect(nextRun("0/15 * * * ? *", "2026-01-01T00:16:00Z")).toBe("2026-01-01T00:30:00.000Z");
  });
});
