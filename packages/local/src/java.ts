import { spawnSync } from "node:child_process";

export const JAVA_MISSING_MESSAGE =
  "Kith's local runtime needs Java 17 or newer for DynamoDB Local: install a Java 17 runtime (for example `apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`) and make sure `java` is on your PATH.";

/** Returns the Java major version, or undefined when `java` cannot be run. */
export function javaMajorVersion(command = "java"): number | undefined {
  const result = spawnSync(command, ["-version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return undefined;
  const match = `${result.stderr}${result.stdout}`.match(/version "(\d+)(?:\.(\d+))?/);
  if (!match) return undefined;
  const major = Number(match[1]);
  // Java 8 and older report "1.8".
  return major === 1 ? Number(match[2]) : major;
}

/** Throws one clear sentence when Java is missing or too old. */
export function assertJava(command = "java"): void {
  const major = javaMajorVersion(command);
  if (major === undefined || major < 17) {
    throw new Error(
      major === undefined ? JAVA_MISSING_MESSAGE : `${JAVA_MISSING_MESSAGE} (found Java ${major})`,
    );
  }
}
