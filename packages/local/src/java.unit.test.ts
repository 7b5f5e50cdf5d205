import type { SpawnSyncReturns } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * Unit tests never start processes: `spawnSync` is replaced by a fake that answers the way Node
 * does. For a command that does not exist, Node 22 returns `error.code === "ENOENT"`,
 * `status: null` and no output (checked once by hand against the real `spawnSync`).
 */
const spawnSync = vi.hoisted(() => vi.fn());
vi.mock("node:child_process", () => ({ spawnSync }));

const { assertJava, JAVA_MISSING_MESSAGE, javaMajorVersion } = await import("./java");

function notFound(command: string): SpawnSyncReturns<string> {
  const error = Object.assign(new Error(`spawnSync ${command} ENOENT`), {
    code: "ENOENT",
    errno: -2,
    syscall: `spawnSync ${command}`,
    path: command,
  });
  // Exactly what Node 22 returns: no output at all, so stdout and stderr are undefined.
  return {
    pid: 0,
    output: null,
    stdout: undefined,
    stderr: undefined,
    status: null,
    signal: null,
    error,
  } as unknown as SpawnSyncReturns<string>;
}

function ran(stderr: string, status = 0): SpawnSyncReturns<string> {
  return { pid: 4242, output: [null, "", stderr], stdout: "", stderr, status, signal: null };
}

afterEach(() => {
  spawnSync.mockReset();
});

describe("javaMajorVersion", () => {
  it("is undefined when the command does not exist", () => {
    // prepare
    spawnSync.mockImplementation((command: string) => notFound(command));

    // act
    const version = javaMajorVersion("definitely-not-java");

    // assess
    expect(version).toBeUndefined();
    expect(spawnSync).toHaveBeenCalledWith("definitely-not-java", ["-version"], { encoding: "utf8" });
  });

  it("reads a modern version string", () => {
    // prepare
    spawnSync.mockReturnValue(ran('openjdk version "17.0.12" 2024-07-16\nOpenJDK Runtime Environment'));

    // act
    const version = javaMajorVersion();

    // assess
    expect(version).toBe(17);
    expect(spawnSync).toHaveBeenCalledWith("java", ["-version"], { encoding: "utf8" });
  });

  it("reads a version without a minor part", () => {
    // prepare
    spawnSync.mockReturnValue(ran('openjdk version "21" 2023-09-19'));

    // act & assess
    expect(javaMajorVersion()).toBe(21);
  });

  it("reads Java 8's legacy 1.8 numbering as 8", () => {
    // prepare
    spawnSync.mockReturnValue(ran('java version "1.8.0_402"'));

    // act & assess
    expect(javaMajorVersion()).toBe(8);
  });

  it("is undefined when java exits with an error", () => {
    // prepare
    spawnSync.mockReturnValue(ran('openjdk version "17.0.12"', 1));

    // act & assess
    expect(javaMajorVersion()).toBeUndefined();
  });

  it("is undefined when the output names no version", () => {
    // prepare
    spawnSync.mockReturnValue(ran("something else entirely"));

    // act & assess
    expect(javaMajorVersion()).toBeUndefined();
  });
});

describe("assertJava", () => {
  it("throws exactly the one-sentence missing-Java message when the command does not exist", () => {
    // prepare
    spawnSync.mockImplementation((command: string) => notFound(command));

    // act
    const act = () => assertJava("definitely-not-java");

    // assess
    expect(act).toThrowError(new Error(JAVA_MISSING_MESSAGE));
    expect(() => assertJava("definitely-not-java")).toThrow(
      expect.objectContaining({ message: JAVA_MISSING_MESSAGE }),
    );
  });

  it("the missing-Java message is one sentence naming Java 17", () => {
    // assess
    expect(JAVA_MISSING_MESSAGE).toContain("Java 17");
    expect(JAVA_MISSING_MESSAGE.endsWith(".")).toBe(true);
    expect(JAVA_MISSING_MESSAGE.slice(0, -1)).not.toMatch(/[.!?]\s+[A-Z]/);
  });

  it("names the version found when Java is too old", () => {
    // prepare
    spawnSync.mockReturnValue(ran('java version "1.8.0_402"'));

    // act & assess
    expect(() => assertJava()).toThrow(`${JAVA_MISSING_MESSAGE} (found Java 8)`);
  });

  it("accepts Java 17", () => {
    // prepare
    spawnSync.mockReturnValue(ran('openjdk version "17.0.12"'));

    // act & assess
    expect(() => assertJava()).not.toThrow();
  });
});
