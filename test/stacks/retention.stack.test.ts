/**
 * The data-retention rule: a stage that is not known to be throwaway keeps its table. Synthesizes the
 * app for stage "prod" in its own file, because SST's project state (the stage) is process-global.
 */
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { retainsData } from "../../stacks/shared";
import { type SynthesizedApp, synthesize } from "./support/synth";

describe("retainsData", () => {
  it.each([
    ["prod", "deploy", true],
    ["production", "deploy", true],
    ["staging", "deploy", true],
    ["alice", "deploy", true],
    ["dev", "deploy", false],
    ["test", "deploy", false],
    ["pr-123", "deploy", false],
    ["prod", "dev", false],
  ] as const)("stage %s in %s mode → %s", (stage, mode, expected) => {
    expect(retainsData({ stage, mode })).toBe(expected);
  });
});

describe("stage prod", () => {
  let synth: SynthesizedApp;
  beforeAll(async () => {
    synth = await synthesize({ stage: "prod" });
  });

  it("retains the table and protects it from deletion", () => {
    synth.templates.Storage.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    });
  });

  it("retains the secrets key, without which sealed secrets in the retained table could not be opened", () => {
    synth.templates.Storage.hasResource("AWS::KMS::Key", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("names stacks and physical resources for the stage", () => {
    expect(synth.stacks.Storage.stackName).toBe("prod-kith-Storage");
    synth.templates.Events.hasResourceProperties("AWS::Events::EventBus", {
      Name: "prod-kith-events",
    });
  });
});
