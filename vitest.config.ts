import { defineConfig } from "vitest/config";

// Four kinds of test, told apart by suffix so each can run alone (`npm run test:<kind>`):
// unit (pure, no I/O), integration (DynamoDB Local + SQS emulator, started once in globalSetup),
// stacks (offline CDK synth of the real SST stacks), e2e (`npm start` as a child process).
export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // `npm test` runs with --coverage: a summary is printed and the run fails below the floor, which is
    // the suite's level when the floor was set (docs/decisions.md), so coverage can only go up.
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts", "functions/**/*.ts", "stacks/**/*.ts", "manifest.ts"],
      // The console's browser code runs in Chromium (test/e2e/console.e2e.test.ts), not under V8 coverage here.
      exclude: ["**/*.test.ts", "**/*.d.ts", "packages/console/src/**"],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      // Measured when the floor was set: statements 85.8%, branches 81.7%, functions 86.0%, lines 88.0%.
      thresholds: { statements: 85, branches: 81, functions: 85, lines: 87 },
    },
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/*.unit.test.ts"],
          exclude: ["**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/setup/integration-global.ts"],
          // A guard against hangs, not a speed check: under a full 2-core run DynamoDB Local answers
          // several times slower than alone (a 6 s property test took over 30 s on CI).
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "stacks",
          include: ["test/stacks/**/*.stack.test.ts"],
          exclude: ["**/node_modules/**"],
          env: { SST_TELEMETRY_DISABLED: "1", NODE_ENV: "test" },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One fork: SST's project state is process-global.
          pool: "forks",
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
