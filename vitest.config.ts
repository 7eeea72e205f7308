import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Most e2e files wait on emulator jobs rather than compute: on a 2-CPU machine vitest's default
    // (one worker) left a CPU idle and the suite took 731 s; three workers take 337 s, all green.
    maxWorkers: 3,
  },
});
