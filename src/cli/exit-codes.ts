/** Stable process exit codes (DESIGN.md §8). Only src/cli sets the process exit code. */
export const ExitCode = {
  ok: 0,
  error: 1,
  changesPresent: 2,
  invalidManifests: 3,
  applyPartlyFailed: 4,
  stalePlan: 5,
  driftDetected: 6,
  testGateFailed: 7,
  /** `logs`: no such log yet (no test has run); `cancel`: nothing is running. */
  nothingToShowOrCancel: 8,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
