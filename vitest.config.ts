import { relative, resolve } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** These files replace modules with vi.mock: they get a fresh module graph of their own. */
const MOCKING = ["test/cli/text-reader.test.ts", "test/e2e/apply-memory.test.ts", "test/client/http.test.ts"];

/**
 * Longest first, so that the three workers stay busy to the end. vitest sorts by the durations of
 * the previous run; on a fresh clone (CI) it has none and runs the largest files first, which put the
 * short files of long kill trials and watch loops last: a tail of half a minute on one worker. Until
 * durations are known, the end-to-end files (which start CLIs and wait on jobs) go first.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const known = files.every((file) =>
      this.ctx.cache.getFileTestResults(`${file.project.name}:${relative(root, file.moduleId)}`),
    );
    if (known) return sorted;
    const endToEnd = (file: TestSpecification): boolean =>
      /^test\/(e2e|ci)\//.test(relative(root, file.moduleId));
    return [...sorted.filter(endToEnd), ...sorted.filter((file) => !endToEnd(file))];
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Most e2e files wait on emulator jobs rather than compute: on a 2-CPU machine vitest's default
    // (one worker) left a CPU idle and the suite took 731 s; three workers take 337 s, all green.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    // The CLI's code cache (src/cli/compile-cache.ts): one for the hundreds of CLIs the suite starts,
    // instead of one in each temporary home (whose contents some tests check).
    env: { XDG_CACHE_HOME: resolve(import.meta.dirname, "node_modules/.cache/drgitops-test") },
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
