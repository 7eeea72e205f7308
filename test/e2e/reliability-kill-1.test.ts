import { killTrials, reliabilitySuite } from "./reliability-harness.js";

// Twenty kill trials in all, ten in each of reliability-kill-{1,2}.test.ts (run on parallel workers).
reliabilitySuite(
  "reliability: killed applies, part 1 of 2",
  "converges with no duplicates after being killed at random points (10 trials)",
  async (world) => await killTrials(world, { seed: 20261127, trials: 10, minKilledMidWrite: 5 }),
);
