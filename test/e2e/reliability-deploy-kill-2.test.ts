import { deployKillTrials, reliabilitySuite } from "./reliability-harness.js";

// Twelve deploying kill trials in all, six in each of reliability-deploy-kill-{1,2}.test.ts.
reliabilitySuite(
  "reliability: killed deploying applies, part 2 of 2",
  "a deploying apply (new version -> registered version -> replacement) killed at random writes converges (6 trials)",
  async (world) => await deployKillTrials(world, { seed: 20261203, trials: 6, minKilled: 5 }),
);
