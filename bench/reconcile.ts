/**
 * Reconcile benchmark (issue 5): a generated repository of 1,000 models x 20 files on the emulator
 * with 20 ms latency per request. Measures the built CLI as users run it: requests and wall time of a
 * no-change plan (cold and warm hash cache), then an apply after editing one file in each of 10
 * models: versions created, bytes uploaded vs bytes changed, peak RSS of each run. Then (issue 12)
 * 500 of the models get a RegisteredModel and a Deployment: the same no-change plan with them, next
 * to the one without, and what `--detect-drift` adds (it reads each deployment's settings). Prints
 * figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BUILTIN_ENVIRONMENT } from "../src/emulator/seed.js";
import { startEmulator, type RunningEmulator } from "../src/emulator/index.js";
import { PlanSchema } from "../src/reconcile/plan-file.js";

export const MODELS = 1000;
export const FILES_PER_MODEL = 20;
const CHANGED_MODELS = 10;
const DEPLOYED_MODELS = 500;
export const LATENCY_MS = 20;
const LOADER = pathToFileURL(resolve(import.meta.dirname, "../dist/cli/compile-cache.js")).href;
const COMMANDS = pathToFileURL(resolve(import.meta.dirname, "../dist/cli/command-names.js")).href;
const BUNDLE = resolve(import.meta.dirname, "../dist/bundle/drgitops.cjs");

export interface RunFigures {
  code: number;
  wallMs: number;
  maxRssMb: number;
  /** CPU time of the CLI process (user + system): steadier than wall time on a shared machine. */
  cpuMs: number;
  stdout: string;
}

/** Runs the built CLI in a child whose own peak RSS is reported back (the emulator stays out of it). */
export async function cli(dir: string, env: NodeJS.ProcessEnv, args: string[]): Promise<RunFigures> {
  const wrapper = join(dir, ".bench-cli.mjs");
  await writeFile(
    wrapper,
    // As bin/drgitops.js runs it: the bundle with its code cache.
    `import { writeFileSync } from "node:fs";\nimport { loadBundle } from ${JSON.stringify(LOADER)};\n` +
      `import { commandOf } from ${JSON.stringify(COMMANDS)};\n` +
      `const cli = loadBundle(${JSON.stringify(BUNDLE)}, process.env, commandOf(process.argv) ?? "all");\n` +
      `const code = await cli.exports.main(process.argv);\ncli.saveCache();\n` +
      `const usage = process.resourceUsage();\n` +
      `writeFileSync(process.env.BENCH_RSS_FILE, JSON.stringify({ code, maxRss: usage.maxRSS, cpuUs: usage.userCPUTime + usage.systemCPUTime }));\n` +
      `process.exitCode = code;\n`,
  );
  const rssFile = join(dir, ".bench-rss.json");
  const started = performance.now();
  const [stdout, stderr] = await new Promise<[string, string]>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [wrapper, ...args], {
      cwd: dir,
      env: { ...env, BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", () =>
      resolvePromise([Buffer.concat(out).toString("utf8"), Buffer.concat(err).toString("utf8")]),
    );
  });
  const wallMs = performance.now() - started;
  const { code, maxRss, cpuUs } = JSON.parse(await readFile(rssFile, "utf8")) as {
    code: number;
    maxRss: number;
    cpuUs: number;
  };
  // Exit 2 is `plan --detailed-exitcode` reporting changes; anything else unexpected is shown.
  if (code !== 0 && code !== 2) console.log(`drgitops ${args.join(" ")} exited ${code}:\n${stderr}`);
  return { code, wallMs, maxRssMb: maxRss / 1024, cpuMs: cpuUs / 1000, stdout };
}

export async function admin(
  emu: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${emu.origin}/__emulator/${path}`, {
    method,
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.status === 204 ? undefined : await response.json();
}

export interface Stats {
  requests: Record<string, number>;
  bytesReceived: number;
  total: number;
}
export const stats = async (emu: RunningEmulator) => (await admin(emu, "GET", "stats")) as Stats;
const versionCreates = (s: Stats): number =>
  Object.entries(s.requests)
    .filter(([k]) => /^(POST|PATCH) \/api\/v2\/customModels\/:\w+\/versions\/?$/.test(k))
    .reduce((n, [, v]) => n + v, 0);

export function modelName(i: number): string {
  return `model-${String(i).padStart(4, "0")}`;
}

/** 1,000 model folders of 20 small text files and one manifest file per model. */
export async function generate(dir: string): Promise<void> {
  await writeFile(join(dir, "drgitops.yaml"), "namespace: bench/models\npaths: [manifests]\n");
  await mkdir(join(dir, "manifests"));
  for (let i = 0; i < MODELS; i++) {
    const name = modelName(i);
    const src = join(dir, "models", name);
    await mkdir(join(src, "data"), { recursive: true });
    await writeFile(
      join(src, "custom.py"),
      `# ${name}\ndef score(data, model, **kwargs):\n    return data\n`,
    );
    for (let f = 1; f < FILES_PER_MODEL; f++) {
      await writeFile(
        join(src, "data", `part-${f}.txt`),
        `${name} part ${f}\n${"x".repeat(200 + ((i * 7 + f) % 50))}\n`,
      );
    }
    await writeFile(
      join(dir, "manifests", `${name}.yaml`),
      `apiVersion: drgitops/v1\nkind: CustomModel\nmetadata: {name: ${name}}\nspec:\n` +
        `  targetType: Unstructured\n  language: python\n` +
        `  environment: {id: ${BUILTIN_ENVIRONMENT.id}, versionId: ${BUILTIN_ENVIRONMENT.versionId}}\n` +
        `  source: {path: ../models/${name}}\n`,
    );
  }
}

/** A clean environment pointing the CLI at the bench's emulator (nothing of the caller's leaks in). */
export function benchEnv(dir: string, emu: RunningEmulator): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    HOME: dir,
    DATAROBOT_ENDPOINT: emu.url,
    DATAROBOT_API_TOKEN: emu.token,
  };
}

/** A RegisteredModel and a Deployment of each of the first `DEPLOYED_MODELS` models. */
async function generateDeployments(dir: string): Promise<void> {
  for (let i = 0; i < DEPLOYED_MODELS; i++) {
    const name = modelName(i);
    await writeFile(
      join(dir, "manifests", `${name}-deploy.yaml`),
      `apiVersion: drgitops/v1\nkind: RegisteredModel\nmetadata: {name: ${name}-rm}\nspec:\n  model: {ref: ${name}}\n` +
        `---\napiVersion: drgitops/v1\nkind: Deployment\nmetadata: {name: ${name}-prod}\nspec:\n` +
        `  registeredModel: {ref: ${name}-rm}\n  settings: {predictionsDataCollection: true}\n`,
    );
  }
}

/** "N requests (route: n, ...)" of a stats snapshot, API routes only. */
const byRoute = (s: Stats): string =>
  Object.entries(s.requests)
    .filter(([k]) => k.includes("/api/v2/"))
    .map(([k, n]) => `${k.replace(/^GET \/api\/v2\//, "")} ${n}`)
    .join(", ");

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "drgitops-bench-reconcile-"));
  const emu = await startEmulator({ quiet: true });
  try {
    await generate(dir);
    const env = benchEnv(dir, emu);
    console.log(`${MODELS} models x ${FILES_PER_MODEL} files, ${LATENCY_MS} ms injected latency per request`);
    const setup = await cli(dir, env, ["apply", "--parallelism", "16"]);
    console.log(
      `initial apply (no latency, parallelism 16): exit ${setup.code}, ${fmt(setup.wallMs)}, peak RSS ${setup.maxRssMb.toFixed(0)} MB`,
    );

    await admin(emu, "PUT", "faults", { latencyMs: LATENCY_MS });
    await rm(join(dir, ".drgitops"), { recursive: true, force: true });
    let undeployed = { requests: 0, wallMs: 0 };
    for (const label of ["cold hash cache", "warm hash cache"]) {
      await admin(emu, "POST", "stats/reset");
      const plan = await cli(dir, env, ["plan", "--detailed-exitcode"]);
      const s = await stats(emu);
      undeployed = { requests: s.total, wallMs: plan.wallMs };
      console.log(
        `no-change plan, ${label}: exit ${plan.code}, ${s.total} requests, ${fmt(plan.wallMs)}, peak RSS ${plan.maxRssMb.toFixed(0)} MB`,
      );
    }

    let bytesChanged = 0;
    for (let i = 0; i < CHANGED_MODELS; i++) {
      const file = join(dir, "models", modelName(i * 97), "data", "part-3.txt");
      const text = `${await readFile(file, "utf8")}changed\n`;
      await writeFile(file, text);
      bytesChanged += Buffer.byteLength(text);
    }
    const planned = await cli(dir, env, ["plan", "--out", "plan.json"]);
    const plan = PlanSchema.parse(JSON.parse(await readFile(join(dir, "plan.json"), "utf8")));
    const uploads = plan.actions.flatMap((a) => (a.type === "createVersion" ? a.uploads : []));
    const bytesUploaded = uploads.reduce((n, u) => n + u.size, 0);
    await admin(emu, "POST", "stats/reset");
    const applied = await cli(dir, env, ["apply", "--plan", "plan.json"]);
    const s = await stats(emu);
    console.log(
      `plan after editing 1 file in ${CHANGED_MODELS} models: exit ${planned.code}, ${fmt(planned.wallMs)}, peak RSS ${planned.maxRssMb.toFixed(0)} MB`,
    );
    console.log(
      `apply: exit ${applied.code}, ${fmt(applied.wallMs)}, ${s.total} requests, versions created ${versionCreates(s)}, ` +
        `files uploaded ${uploads.length}, bytes uploaded ${bytesUploaded} vs bytes changed ${bytesChanged} ` +
        `(${s.bytesReceived} bytes on the wire incl. multipart and trailers), peak RSS ${applied.maxRssMb.toFixed(0)} MB`,
    );
    await admin(emu, "POST", "stats/reset");
    const after = await cli(dir, env, ["plan", "--detailed-exitcode"]);
    console.log(
      `plan after apply: exit ${after.code} (0 = no changes), ${(await stats(emu)).total} requests, ${fmt(after.wallMs)}`,
    );

    await generateDeployments(dir);
    await admin(emu, "PUT", "faults", { latencyMs: 0 });
    const deployed = await cli(dir, env, ["apply", "--parallelism", "16"]);
    console.log(
      `apply of ${DEPLOYED_MODELS} registered models and deployments (no latency, parallelism 16): exit ${deployed.code}, ${fmt(deployed.wallMs)}`,
    );
    await admin(emu, "PUT", "faults", { latencyMs: LATENCY_MS });
    await admin(emu, "POST", "stats/reset");
    const withDeployments = await cli(dir, env, ["plan", "--detailed-exitcode"]);
    const ws = await stats(emu);
    console.log(
      `no-change plan with ${DEPLOYED_MODELS} deployed: exit ${withDeployments.code}, ${ws.total} requests (${byRoute(ws)}), ${fmt(withDeployments.wallMs)}, peak RSS ${withDeployments.maxRssMb.toFixed(0)} MB` +
        ` | without deployments: ${undeployed.requests} requests, ${fmt(undeployed.wallMs)}`,
    );
    await admin(emu, "POST", "stats/reset");
    const drift = await cli(dir, env, ["plan", "--detailed-exitcode", "--detect-drift"]);
    console.log(
      `no-change plan --detect-drift (reads each deployment's settings): exit ${drift.code}, ${(await stats(emu)).total} requests, ${fmt(drift.wallMs)}`,
    );
  } finally {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
