import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn real servers and scripts; two workers match the two cores they were written for.
    maxWorkers: 2,
  },
});
