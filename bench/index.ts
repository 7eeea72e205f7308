/** Each area registers one benchmark here: `{ name, run }`, where run prints its own figures. */
import { run as runClient } from "./client.js";

export interface Bench {
  name: string;
  run: () => Promise<void>;
}

export const benches: Bench[] = [{ name: "client", run: runClient }];
