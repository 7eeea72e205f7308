/**
 * `npm run bench`: runs each area's benchmark in turn and prints its figures. Benchmarks compare
 * ratios measured in one run; nothing here asserts a timing.
 */
import { benches } from "./index.js";

const only = process.argv.slice(2);
for (const { name, run } of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n## ${name}`);
  await run();
}
