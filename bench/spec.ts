/**
 * Spec bench: loadProject over 1,000 generated model manifests; cold hashing throughput against the
 * system `sha256sum` over the same files; warm-cache re-hash. Sizes: DRGITOPS_BENCH_SPEC_MODELS
 * (default 1000) and DRGITOPS_BENCH_SPEC_MB (default 320).
 */
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { mkdir, mkdtemp, open, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DigestCache, hashListedFiles, listSourceFiles, loadProject } from "../src/spec/index.js";

const MB = 1024 * 1024;
const run$ = promisify(execFile);

/** Wall time, and this process's CPU time: on a shared machine the second is the steadier figure. */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return {
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    cpuMs: (used.user + used.system) / 1000,
    value,
  };
}

export async function generateProject(root: string, models: number): Promise<void> {
  await mkdir(join(root, ".git"), { recursive: true });
  await mkdir(join(root, "manifests"), { recursive: true });
  await mkdir(join(root, "env"), { recursive: true });
  await writeFile(join(root, "env/Dockerfile"), "FROM python:3.11-slim\n");
  await mkdir(join(root, "data"), { recursive: true });
  await writeFile(join(root, "data/test.csv"), "a,b\n1,2\n");
  await writeFile(
    join(root, "manifests/shared.yaml"),
    "apiVersion: drgitops/v1\nkind: ExecutionEnvironment\nmetadata: {name: py}\nspec: {dockerContext: ../env}\n---\n" +
      "apiVersion: drgitops/v1\nkind: Dataset\nmetadata: {name: test}\nspec: {file: ../data/test.csv}\n",
  );
  for (let i = 0; i < models; i++) {
    const name = `model-${String(i).padStart(4, "0")}`;
    const dir = join(root, "models", name);
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "custom.py"),
      `def score(data, model, **kwargs):\n    return data  # ${name}\n`,
    );
    await writeFile(join(dir, "requirements.txt"), "pandas>=1.5,<3\n");
    await writeFile(
      join(dir, "model-metadata.yaml"),
      `name: ${name}\ntype: inference\ntargetType: binary\nruntimeParameterDefinitions:\n` +
        "  - {fieldName: CUTOFF, type: numeric, defaultValue: 0.5, minValue: 0, maxValue: 1}\n" +
        "  - {fieldName: MODE, type: string}\n",
    );
    await writeFile(
      join(root, "manifests", `${name}.yaml`),
      `apiVersion: drgitops/v1\nkind: CustomModel\nmetadata:\n  name: ${name}\n  labels: {team: t${i % 7}}\nspec:\n` +
        "  targetType: Binary\n  targetName: y\n  positiveClassLabel: '1'\n  negativeClassLabel: '0'\n" +
        "  environment: {ref: py}\n" +
        `  source: {path: ../models/${name}, exclude: ["**/*.pyc"]}\n` +
        "  resources: {memory: 512Mi, replicas: 1}\n  runtimeParameters: {CUTOFF: 0.7, MODE: fast}\n" +
        "  test: {dataset: {ref: test}, checks: {sideEffects: warn}}\n",
    );
  }
}

async function generateBlobs(dir: string, totalMb: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  // A realistic mix: a few large artifacts and many small files.
  const sizes = [
    ...Array<number>(12).fill(Math.floor((totalMb * MB * 0.95) / 12)),
    ...Array<number>(400).fill(Math.floor((totalMb * MB * 0.05) / 400)),
  ];
  const block = Buffer.alloc(4 * MB);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  const past = new Date(Date.now() - 3600_000);
  for (const [i, size] of sizes.entries()) {
    const path = join(dir, `f${String(i).padStart(3, "0")}.bin`);
    const handle = await open(path, "w");
    for (let written = 0; written < size; written += block.length) {
      await handle.write(block, 0, Math.min(block.length, size - written));
    }
    await handle.close();
    await utimes(path, past, past); // old enough for the cache to trust (not "racily clean")
  }
}

export async function run(): Promise<void> {
  const models = Number(process.env["DRGITOPS_BENCH_SPEC_MODELS"] ?? 1000);
  const totalMb = Number(process.env["DRGITOPS_BENCH_SPEC_MB"] ?? 320);
  const root = await mkdtemp(join(tmpdir(), "drgitops-bench-spec-"));
  try {
    await generateProject(root, models);
    const load = await timed(() => loadProject({ paths: ["manifests"], cwd: root }));
    if (!load.value.ok)
      throw new Error(`generated project is invalid: ${load.value.issues[0]?.message ?? ""}`);
    console.log(
      `validate ${models} model manifests (loadProject, no hashing): ${load.ms.toFixed(0)} ms (cpu ${load.cpuMs.toFixed(0)} ms; goal ~2 s)`,
    );
    const hashedLoad = await timed(() => loadProject({ paths: ["manifests"], cwd: root, hash: true }));
    console.log(
      `  same with hashing (cold cache, ${models * 3} files): ${hashedLoad.ms.toFixed(0)} ms (cpu ${hashedLoad.cpuMs.toFixed(0)} ms)`,
    );

    const blobs = join(root, "blobs");
    await generateBlobs(blobs, totalMb);
    const { files } = await listSourceFiles(blobs);
    const bytes = files.reduce((n, f) => n + statSync(f.absPath).size, 0);
    const paths = files.map((f) => f.absPath);
    // Both read from the page cache (the files were just written), so this compares hashing, not disks.
    await run$("sha256sum", paths, { maxBuffer: 64 * MB });
    const system = await timed(() => run$("sha256sum", paths, { maxBuffer: 64 * MB }));
    const ours = await timed(() => hashListedFiles(files));
    const check = system.value.stdout.split("\n")[0]?.split(" ")[0];
    if (check !== ours.value[0]?.sha256) throw new Error("digest mismatch with sha256sum");
    const mbps = (ms: number): string => (bytes / MB / (ms / 1000)).toFixed(0);
    console.log(
      `cold hash ${files.length} files, ${(bytes / MB).toFixed(0)} MB: drgitops ${ours.ms.toFixed(0)} ms (${mbps(ours.ms)} MB/s), ` +
        `sha256sum ${system.ms.toFixed(0)} ms (${mbps(system.ms)} MB/s), ratio ${(system.ms / ours.ms).toFixed(2)} (goal >= 0.8)`,
    );

    const cacheDir = join(root, ".drgitops/cache");
    const cold = await DigestCache.load(cacheDir);
    await hashListedFiles(files, cold);
    await cold.save();
    const warm = await timed(async () => {
      const cache = await DigestCache.load(cacheDir);
      const listing = await listSourceFiles(blobs);
      await hashListedFiles(listing.files, cache);
      return cache;
    });
    console.log(
      `warm-cache re-hash (load cache, list, stat, look up): ${warm.ms.toFixed(1)} ms, ${warm.value.hits}/${files.length} hits`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
