/**
 * Watch and start-up benchmark (issue 11), on the reconcile bench's generated repository (1,000
 * models x 20 files, 20 ms injected latency per request), with the built CLI as users run it:
 *
 * - a cold `drgitops plan` with nothing to do (a new process, warm digest and parse caches) and a
 *   cold `drgitops validate` of the 1,000 manifests: wall time, median of 5 runs;
 * - `drgitops watch`: file save -> `plan` event over 20 saves (median and p95);
 * - idle cost: requests per interval cycle against a no-change plan's, and the watch process's RSS
 *   over DRGITOPS_BENCH_WATCH_IDLE_S seconds (default 300) of cycles with a 1 s interval, with the
 *   V8 heap left live after each of its full GCs (what a leak grows; RSS also moves with the
 *   allocator).
 *
 * Prints figures, each with its goal; asserts nothing. DRGITOPS_BENCH_CPU_PROF=DIR writes a CPU
 * profile of each watch process into DIR (open it in Chrome's DevTools).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEmulator, type RunningEmulator } from "../src/emulator/index.js";
import {
  admin,
  benchEnv,
  cli,
  generate,
  LATENCY_MS,
  modelName,
  MODELS,
  stats,
  type Stats,
} from "./reconcile.js";

const CLI = resolve(import.meta.dirname, "../bin/drgitops.js");
const SAVES = 20;
const COLD_RUNS = 5;

interface PlanEvent {
  event: "plan";
  at: string;
  trigger: string;
  changes: number;
  durationMs: number;
}

/** A running `drgitops watch --format json`, its events as they arrive (with the time they arrived). */
class Watch {
  readonly events: { line: { event: string } & Record<string, unknown>; receivedAt: number }[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private stderr = "";

  constructor(dir: string, env: NodeJS.ProcessEnv, args: string[], node: string[] = []) {
    // DRGITOPS_BENCH_CPU_PROF=DIR: a V8 CPU profile of each watch process, written when it stops.
    const profile = process.env["DRGITOPS_BENCH_CPU_PROF"];
    if (profile) node = [...node, "--cpu-prof", `--cpu-prof-dir=${profile}`];
    this.child = spawn(process.execPath, [...node, CLI, "watch", "--format", "json", ...args], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (chunk: string) => {
      const receivedAt = performance.now();
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (text.trim() !== "") this.events.push({ line: JSON.parse(text) as never, receivedAt });
      }
      for (const w of this.waiters) w();
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (chunk: string) => (this.stderr += chunk));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The first event from index `from` on that is a plan matching `match`. */
  async plan(from: number, match: (p: PlanEvent) => boolean = () => true, timeoutMs = 120_000) {
    return await this.waitFor(from, (e) => e.event === "plan" && match(e as unknown as PlanEvent), timeoutMs);
  }

  async waitFor(
    from: number,
    match: (e: { event: string } & Record<string, unknown>) => boolean,
    timeoutMs = 120_000,
  ): Promise<{ line: { event: string } & Record<string, unknown>; receivedAt: number }> {
    return await new Promise((resolvePromise, reject) => {
      const check = (): boolean => {
        const found = this.events.slice(from).find((e) => match(e.line));
        if (found) resolvePromise(found);
        return found !== undefined;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) done();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`watch: no matching event within ${timeoutMs} ms\n${this.stderr}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  errors(): string[] {
    return this.events.filter((e) => e.line.event === "error").map((e) => String(e.line["message"]));
  }

  /** Resident set size of the watch process now, from /proc (Linux). */
  rssMb(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    await exited;
  }
}

/**
 * Preloaded into the idle watch: after each full (mark-compact) GC, appends "epoch-ms heap-bytes
 * external-bytes rss-bytes" to $DRGITOPS_BENCH_HEAP_FILE. What a full GC leaves is the live heap; it
 * does not saw with the cycles as RSS does, so a leak shows as a rising line. `external` is memory
 * outside the heap that JS objects hold (Buffers: each cycle's 7.5 MB answer); RSS right after a full
 * GC is the process's floor at that moment. The observer forces no GC and keeps no handle open.
 */
const HEAP_PROBE =
  `import { PerformanceObserver, constants } from "node:perf_hooks";\n` +
  `import { appendFileSync } from "node:fs";\n` +
  `const file = process.env.DRGITOPS_BENCH_HEAP_FILE;\n` +
  `new PerformanceObserver((list) => {\n` +
  `  for (const e of list.getEntries()) {\n` +
  `    if (e.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;\n` +
  `    const m = process.memoryUsage();\n` +
  `    appendFileSync(file, [Date.now(), m.heapUsed, m.external, m.rss].join(" ") + "\\n");\n` +
  `  }\n` +
  `}).observe({ entryTypes: ["gc"] });\n`;

interface HeapSample {
  /** Seconds from the start of the idle run. */
  s: number;
  heapMb: number;
  externalMb: number;
  rssMb: number;
}

/** The probe's samples, from `startedAt` (epoch ms) on, in MB. */
async function heapSamples(file: string, startedAt: number): Promise<HeapSample[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  const mb = (bytes: number): number => bytes / 2 ** 20;
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split(" ").map(Number))
    .map(([at = 0, heap = 0, external = 0, rss = 0]) => ({
      s: (at - startedAt) / 1000,
      heapMb: mb(heap),
      externalMb: mb(external),
      rssMb: mb(rss),
    }))
    .filter((x) => x.s >= 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const ms = (n: number): string => `${n.toFixed(0)} ms`;

/** MB per minute of the least-squares line through the samples (NaN for fewer than two). */
function slopePerMinute(points: readonly { s: number; mb: number }[]): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const meanS = points.reduce((a, p) => a + p.s, 0) / n;
  const meanMb = points.reduce((a, p) => a + p.mb, 0) / n;
  const num = points.reduce((a, p) => a + (p.s - meanS) * (p.mb - meanMb), 0);
  const den = points.reduce((a, p) => a + (p.s - meanS) ** 2, 0);
  return den === 0 ? NaN : (num / den) * 60;
}

/** The lowest and highest sample of each `seconds` window, placed at the window's start. */
function floorsAndPeaks(
  samples: readonly { s: number; mb: number }[],
  seconds: number,
): { s: number; floor: number; peak: number }[] {
  const windows = new Map<number, { s: number; floor: number; peak: number }>();
  for (const { s, mb } of samples) {
    const start = Math.floor(s / seconds) * seconds;
    const w = windows.get(start) ?? { s: start, floor: mb, peak: mb };
    windows.set(start, { s: start, floor: Math.min(w.floor, mb), peak: Math.max(w.peak, mb) });
  }
  return [...windows.values()];
}

/** The emulator counts its own admin requests (the bench reading stats); only API requests count. */
function apiOnly(s: Stats): Stats {
  const requests = Object.fromEntries(
    Object.entries(s.requests).filter(([k]) => !k.includes(" /__emulator/")),
  );
  return { ...s, requests, total: Object.values(requests).reduce((n, v) => n + v, 0) };
}

async function coldRuns(dir: string, env: NodeJS.ProcessEnv, args: string[]) {
  const walls: number[] = [];
  const cpus: number[] = [];
  let code = -1;
  for (let i = 0; i < COLD_RUNS; i++) {
    const run = await cli(dir, env, args);
    walls.push(run.wallMs);
    cpus.push(run.cpuMs);
    code = run.code;
  }
  return {
    code,
    median: percentile(walls, 50),
    min: Math.min(...walls),
    max: Math.max(...walls),
    cpu: percentile(cpus, 50),
  };
}

/** Saves one file per model, in turn, and times each save until the plan that shows it. */
async function saves(dir: string, watch: Watch): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    const file = join(dir, "models", modelName((i * 47) % MODELS), "data", "part-5.txt");
    const text = await readFile(file, "utf8");
    const from = watch.events.length;
    const savedAt = performance.now();
    await writeFile(file, `${text}saved ${i}\n`);
    const { receivedAt } = await watch.plan(from, (p) => p.trigger === "files" && p.changes > 0);
    latencies.push(receivedAt - savedAt);
    // Let the burst's trailing cycle (if any) go by, then put the file back.
    await sleep(400);
    const back = watch.events.length;
    await writeFile(file, text);
    await watch.plan(back, (p) => p.trigger === "files" && p.changes === 0);
    await sleep(400);
  }
  return latencies;
}

export async function run(): Promise<void> {
  const idleSeconds = Number(process.env["DRGITOPS_BENCH_WATCH_IDLE_S"] ?? 300);
  const dir = await mkdtemp(join(tmpdir(), "drgitops-bench-watch-"));
  const emu: RunningEmulator = await startEmulator({ quiet: true });
  const running: Watch[] = [];
  try {
    await generate(dir);
    const env = benchEnv(dir, emu);
    console.log(`${MODELS} models, ${LATENCY_MS} ms injected latency per request (after the initial apply)`);
    const setup = await cli(dir, env, ["apply", "--parallelism", "16"]);
    if (setup.code !== 0) throw new Error(`initial apply exited ${setup.code}`);
    await admin(emu, "PUT", "faults", { latencyMs: LATENCY_MS });

    // Warm the digest and parse caches, then time new processes.
    await cli(dir, env, ["plan", "--detailed-exitcode"]);
    await admin(emu, "POST", "stats/reset");
    const plan = await coldRuns(dir, env, ["plan", "--detailed-exitcode"]);
    const planStats = apiOnly(await stats(emu));
    const planRequests = planStats.total / COLD_RUNS;
    console.log(
      `cold plan, nothing to do, warm caches: exit ${plan.code}, median ${ms(plan.median)} ` +
        `(min ${ms(plan.min)}, max ${ms(plan.max)}, ${COLD_RUNS} runs; cpu ${ms(plan.cpu)}), ${planRequests} requests (goal <= 800 ms)`,
    );
    const validate = await coldRuns(dir, env, ["validate"]);
    console.log(
      `cold validate of ${MODELS} manifests: exit ${validate.code}, median ${ms(validate.median)} ` +
        `(min ${ms(validate.min)}, max ${ms(validate.max)}, ${COLD_RUNS} runs; cpu ${ms(validate.cpu)}) (goal <= 400 ms)`,
    );

    // Save -> plan.
    const watch = new Watch(dir, env, ["--interval", "3600"]);
    running.push(watch);
    const startedAt = performance.now();
    const start = await watch.plan(0, (p) => p.trigger === "start");
    console.log(
      `watch start-up: first plan after ${ms(start.receivedAt - startedAt)} ` +
        `(cycle ${ms(Number(start.line["durationMs"]))}), RSS ${watch.rssMb().toFixed(0)} MB`,
    );
    const latencies = await saves(dir, watch);
    console.log(
      `watch: file save -> plan event over ${SAVES} saves: median ${ms(percentile(latencies, 50))}, ` +
        `p95 ${ms(percentile(latencies, 95))}, max ${ms(Math.max(...latencies))} (goal <= 150 ms)`,
    );
    // In save order: p95 of 20 is the second slowest, so say which saves those were.
    console.log(`  each save (ms): ${latencies.map((l) => l.toFixed(0)).join(", ")}`);
    await watch.stop();

    // Idle cost: requests per interval cycle, RSS over many cycles.
    const heapFile = join(dir, ".bench-heap.txt");
    const idle = new Watch(
      dir,
      { ...env, DRGITOPS_BENCH_HEAP_FILE: heapFile },
      ["--interval", "1"],
      ["--import", `data:text/javascript,${encodeURIComponent(HEAP_PROBE)}`],
    );
    running.push(idle);
    const first = await idle.plan(0, (p) => p.trigger === "interval");
    await admin(emu, "POST", "stats/reset");
    await idle.plan(idle.events.indexOf(first) + 1, (p) => p.trigger === "interval");
    const cycleStats = apiOnly(await stats(emu));
    const perCycle = cycleStats.total;
    console.log(
      `idle cost: ${perCycle} requests per interval cycle vs ${planRequests} for a no-change plan (goal: the same)`,
    );
    const routes = (requests: Record<string, number>, runs: number): string =>
      Object.entries(requests)
        .map(([route, n]) => `${route} ${n / runs}`)
        .join(", ");
    console.log(`  per interval cycle: ${routes(cycleStats.requests, 1)}`);
    console.log(`  per no-change plan: ${routes(planStats.requests, COLD_RUNS)}`);
    const samples: { s: number; mb: number; cycles: number }[] = [];
    const idleStart = performance.now();
    const idleStartEpoch = Date.now();
    const cycles = (): number =>
      idle.events.filter((e) => e.line.event === "plan" && e.line["trigger"] === "interval").length;
    while (performance.now() - idleStart < idleSeconds * 1000) {
      samples.push({ s: (performance.now() - idleStart) / 1000, mb: idle.rssMb(), cycles: cycles() });
      await sleep(1000);
    }
    samples.push({ s: (performance.now() - idleStart) / 1000, mb: idle.rssMb(), cycles: cycles() });
    const firstSample = samples[0]!;
    const last = samples.at(-1)!;
    // Growth over the second half: the first cycles fill caches and the heap; a leak keeps growing.
    // RSS saws up and down with GC (by 100 MB or more: each cycle parses a 7.5 MB list), so a few
    // samples would measure where in the saw each fell. Sampled every second, three lines: one
    // through every sample, and ones through the floor (what the GC left live) and the peak (where
    // the heap grows to before a full GC) of each 30 s window, which a leak raises and the saw does
    // not. Over 5 minutes each still moves by a few MB/min from run to run: read them together.
    const second = samples.filter((x) => x.s >= last.s / 2);
    const windows = floorsAndPeaks(samples, 30).filter((w) => w.s + 30 <= last.s + 1); // whole windows
    // The floors of every window after the first (which fills caches): a short run still has two.
    const floors = windows.slice(1).map((w) => ({ s: w.s, mb: w.floor }));
    const floorSlope = slopePerMinute(floors);
    const peakSlope = slopePerMinute(windows.slice(1).map((w) => ({ s: w.s, mb: w.peak })));
    // A line needs two windows: a run shorter than 90 s has none to fit.
    const signed = (x: number): string => (Number.isNaN(x) ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(2)}`);
    console.log(
      `idle RSS, --interval 1 for ${idleSeconds} s (${last.cycles - firstSample.cycles} cycles): ` +
        `${firstSample.mb.toFixed(0)} MB at start, ${Math.max(...samples.map((x) => x.mb)).toFixed(0)} MB peak, ` +
        `${last.mb.toFixed(0)} MB at the end; least squares: ${signed(slopePerMinute(second))} MB/min over the ` +
        `${second.length} samples of the second half; over the ${floors.length} windows of 30 s after the first, ` +
        `${signed(floorSlope)} MB/min through their floors, ${signed(peakSlope)} through their peaks (goal: flat)`,
    );
    console.log(
      `  each 30 s (s: floor-peak MB): ${windows.map((w) => `${w.s.toFixed(0)}: ${w.floor.toFixed(0)}-${w.peak.toFixed(0)}`).join(", ")}`,
    );
    const heap = await heapSamples(heapFile, idleStartEpoch);
    const heapSecond = heap.filter((x) => x.s >= last.s / 2);
    const heapFirst = heap.filter((x) => x.s < last.s / 2);
    const heapMb = heap.map((x) => x.heapMb);
    // Medians of each half too: a full GC now and then lands mid-cycle and leaves 20 MB less, and
    // one such sample at either end of a half tilts a least-squares line.
    const median = (xs: readonly number[]): string =>
      xs.length === 0 ? "n/a" : percentile(xs, 50).toFixed(0);
    const halves = (pick: (x: HeapSample) => number): string =>
      `median ${median(heapFirst.map(pick))} MB in the first half, ${median(heapSecond.map(pick))} in the second`;
    console.log(
      heap.length === 0
        ? "  live heap after full GCs: none in this run"
        : `  live heap after each of the ${heap.length} full GCs: ${Math.min(...heapMb).toFixed(0)}-${Math.max(...heapMb).toFixed(0)} MB, ` +
            `${heapMb[0]!.toFixed(0)} MB at the first and ${heapMb.at(-1)!.toFixed(0)} at the last; least squares ${signed(slopePerMinute(heapSecond.map((x) => ({ s: x.s, mb: x.heapMb }))))} MB/min ` +
            `over the ${heapSecond.length} of the second half; ${halves((x) => x.heapMb)} (goal: flat)`,
    );
    if (heap.length > 0)
      console.log(
        `  after the same GCs: external (Buffers) ${halves((x) => x.externalMb)}; RSS ${halves((x) => x.rssMb)}`,
      );
    console.log(
      `  each (s: heap MB): ${heap.map((x) => `${x.s.toFixed(0)}: ${x.heapMb.toFixed(0)}`).join(", ")}`,
    );
    const errors = [...watch.errors(), ...idle.errors()];
    if (errors.length > 0) console.log(`watch errors: ${errors.join(" | ")}`);
    await idle.stop();
  } finally {
    for (const w of running) await w.stop();
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
