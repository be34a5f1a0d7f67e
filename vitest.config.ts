import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Broker tests start their own mosquitto on a free port per file; files run in parallel workers.
    pool: "forks",
    fileParallelism: true,
  },
});
