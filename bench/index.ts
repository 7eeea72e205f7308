/** Each area registers one benchmark here: `{ name, run }`, where run prints its own figures. */
export interface Bench {
  name: string;
  run: () => Promise<void>;
}

export const benches: Bench[] = [];
