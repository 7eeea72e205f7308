/** Each area registers one benchmark here: `{ name, run }`, where run prints its own figures. */
import { run as runArtifact } from "./artifact.js";
import { run as runClient } from "./client.js";
import { run as runEmulator } from "./emulator.js";
import { run as runReconcile } from "./reconcile.js";
import { run as runSpec } from "./spec.js";
import { run as runWatch } from "./watch.js";

export interface Bench {
  name: string;
  run: () => Promise<void>;
}

export const benches: Bench[] = [
  { name: "artifact", run: runArtifact },
  { name: "client", run: runClient },
  { name: "emulator", run: runEmulator },
  { name: "reconcile", run: runReconcile },
  { name: "spec", run: runSpec },
  { name: "watch", run: runWatch },
];
