import { convertCmaRepository, writeConversion } from "./src/import/cma/index.js";
import { loadProject } from "./src/spec/index.js";
const r = await convertCmaRepository({ dir: "/tmp/cmaB", outDir: "/tmp/cmaB" });
await writeConversion(r, { force: true });
const l = await loadProject({ paths: [], cwd: "/tmp/cmaB", hash: true });
console.log(l.ok, l.issues.map((i) => `${i.severity} ${i.code} ${i.name} ${i.path.join(".")}`));
console.log(l.project.models.map((m) => [m.name, m.files?.map((f) => f.path)]));
