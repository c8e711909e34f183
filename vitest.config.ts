import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // vitest's default is one worker per CPU but one: a single worker on a 2-core machine. The e2e files
    // mostly wait on the CLI and git subprocesses they start, so two workers halve the suite's time there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { test: { name: "unit", include: ["src/**/*.test.ts", "test/unit/**/*.test.ts"], environment: "node" } },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          // builds dist/ once before the e2e tests run (skipped when AGENTPKG_TEST_BIN names another build)
          globalSetup: ["test/e2e/global-setup.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
