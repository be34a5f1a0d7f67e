import { defineConfig } from "vitest/config";

// The device lane (npm run test:device): scenarios on Moddable's runtime. Builds share output folders and
// mcsim is heavy, so files and tests run one at a time.
export default defineConfig({
  test: {
    include: ["test/device/**/*.device.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
