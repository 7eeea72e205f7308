import { defineConfig } from "vitest/config";

/** These files replace modules with vi.mock: they get a fresh module graph of their own. */
const MOCKING = ["test/cli/text-reader.test.ts", "test/e2e/apply-memory.test.ts", "test/client/http.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Most e2e files wait on emulator jobs rather than compute: on a 2-CPU machine vitest's default
    // (one worker) left a CPU idle and the suite took 731 s; three workers take 337 s, all green.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: MOCKING,
          // Files in one worker share loaded modules: importing src/ again for each of 140 files was
          // a third of the suite's CPU. No test here mocks a module or relies on a fresh one.
          isolate: false,
        },
      },
      { extends: true, test: { name: "isolated", include: MOCKING, isolate: true } },
    ],
  },
});
