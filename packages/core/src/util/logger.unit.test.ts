import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { logger } from "./logger";
import { REDACTED } from "./scrub";

/**
 * The Powertools Logger prints through its own `node:console` Console bound to `process.stdout`
 * and `process.stderr` (Logger.setConsole, unless POWERTOOLS_DEV is set), and that Console calls
 * `stream.write` on every line, so spying on both streams captures exactly what Lambda would ship.
 */
describe("the shared logger", () => {
  let stdout: MockInstance;
  let stderr: MockInstance;

  beforeEach(() => {
    stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function written(): string {
    return [...stdout.mock.calls, ...stderr.mock.calls].map((call) => String(call[0])).join("");
  }

  function lines(): Record<string, unknown>[] {
    return written()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("never emits a bearer token or a kith_ token passed in log attributes", () => {
    // act
    logger.info("x", {
      headers: { authorization: "Bearer abc.def" },
      note: "token kith_ABCDEFGHIJKLMNOPQRSTUVWXYZ123456",
    });

    // assess
    const output = written();
    expect(output).not.toContain("abc.def");
    expect(output).not.toContain("kith_ABCDEFGHIJKLMNOPQRSTUVWXYZ123456");
    const [line] = lines();
    expect(line).toMatchObject({
      level: "INFO",
      message: "x",
      headers: { authorization: REDACTED },
      note: `token ${REDACTED}`,
    });
  });

  it("scrubs the message itself", () => {
    // act
    logger.warn("retrying with ?access_token=opaque-at-123 and ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789");

    // assess
    const output = written();
    expect(output).not.toContain("opaque-at-123");
    expect(output).not.toContain("ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789");
    expect(lines()[0]).toMatchObject({ level: "WARN" });
  });

  it("scrubs the message and stack of a logged Error", () => {
    // prepare
    const error = new Error("provider rejected xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp");

    // act
    logger.error("request failed", { error });

    // assess
    const output = written();
    expect(output).not.toContain("xoxb-123456789012");
    expect(output).toContain("request failed");
    expect(output).toContain(`provider rejected ${REDACTED}`);
  });

  it("keeps token metadata that is not secret", () => {
    // act
    logger.info("token used", { tokenId: "tok_01ARZ3NDEKTSV4RRFFQ69G5FAV", preview: "ab12" });

    // assess
    expect(lines()[0]).toMatchObject({ tokenId: "tok_01ARZ3NDEKTSV4RRFFQ69G5FAV", preview: "ab12" });
  });

  it("scrubs persistent keys appended to every line", () => {
    // prepare
    logger.appendKeys({ clientSecret: "cs-should-not-appear" });

    // act
    logger.info("with persistent keys");
    logger.removeKeys(["clientSecret"]);

    // assess
    expect(written()).not.toContain("cs-should-not-appear");
    expect(lines()[0]).toMatchObject({ clientSecret: REDACTED });
  });
});
