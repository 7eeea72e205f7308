import { expect } from "vitest";
import { duplicateReport, duplicatesIn, runCli, setFaults } from "./harness.js";
import { applyUntilSuccess, reliabilitySuite } from "./reliability-harness.js";

reliabilitySuite(
  "reliability: faults",
  "converges under 10% 5xx, 429s and dropped connections, with no duplicates",
  async ({ emu, client, dir, env }) => {
    await setFaults(emu, { errorRate: 0.1, dropRate: 0.05, rateLimit: 25 });
    const runs = await applyUntilSuccess(dir, env, 8);
    await setFaults(emu, { errorRate: 0, dropRate: 0, rateLimit: 0 });
    expect(runs.at(-1)?.code, runs.map((r) => r.stdout.slice(-2000)).join("\n----\n")).toBe(0);
    expect(duplicatesIn(await duplicateReport(client))).toEqual([]);
    expect((await runCli(["plan", "--detailed-exitcode"], { cwd: dir, env })).code).toBe(0);
  },
);
