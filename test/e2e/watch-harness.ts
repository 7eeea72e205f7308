import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { WatchEventSchema, type WatchEvent } from "../../src/cli/views/watch-events.js";
import { CLI, exampleWorld, type ExampleWorld } from "./harness.js";

/** A running `drgitops watch --format json`, its events parsed as they arrive. */
export interface WatchProcess {
  child: ChildProcess;
  events: WatchEvent[];
  stderr: () => string;
  /** Raw stdout, to check nothing secret was printed. */
  stdout: () => string;
  /** The first event from index `from` on that matches; rejects after `timeoutMs` or if the process exits. */
  waitFor: <E extends WatchEvent["event"]>(
    event: E,
    match?: (e: Extract<WatchEvent, { event: E }>) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ) => Promise<Extract<WatchEvent, { event: E }>>;
  /** Sends a signal and resolves with the exit code and how long exiting took. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; ms: number }>;
  exited: Promise<number | null>;
}

export function startWatch(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): WatchProcess {
  const child = spawn(process.execPath, [CLI, "watch", "--format", "json", ...args], {
    cwd: options.cwd,
    env: options.env,
  });
  const events: WatchEvent[] = [];
  let out = "";
  let buffer = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    out += chunk;
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim() !== "") events.push(WatchEventSchema.parse(JSON.parse(line)));
    }
    for (const w of waiters) w();
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      for (const w of waiters) w();
      resolve(code);
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));

  const waitFor: WatchProcess["waitFor"] = (event, match, opts = {}) =>
    new Promise((resolve, reject) => {
      const from = opts.from ?? 0;
      const check = (): boolean => {
        const found = events
          .slice(from)
          .find((e) => e.event === event && (match === undefined || match(e as never)));
        if (found) {
          resolve(found as never);
          return true;
        }
        if (exitCode !== undefined) {
          reject(new Error(`watch exited (${exitCode}) before a ${event} event:\n${err}\n${out}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) cleanup();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no ${event} event within ${opts.timeoutMs ?? 60_000} ms; events: ${out}\nstderr: ${err}`,
          ),
        );
      }, opts.timeoutMs ?? 60_000);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
    });

  return {
    child,
    events,
    stderr: () => err,
    stdout: () => out,
    waitFor,
    exited,
    stop: async (signal = "SIGTERM") => {
      const started = performance.now();
      if (exitCode === undefined) child.kill(signal);
      const code = await exited;
      return { code, ms: performance.now() - started };
    },
  };
}

/** Plan events from index `from` on. */
export function plansFrom(w: WatchProcess, from: number): Extract<WatchEvent, { event: "plan" }>[] {
  return w.events.slice(from).filter((e): e is Extract<WatchEvent, { event: "plan" }> => e.event === "plan");
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A local webhook whose behaviour a test chooses per request: hang, fail or accept. */
export interface Webhook {
  url: string;
  received: unknown[];
  close: () => Promise<void>;
}

export async function startWebhook(
  behave: (n: number) => "hang" | "fail" | "ok",
  path = "/hook",
): Promise<Webhook> {
  const received: unknown[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push(JSON.parse(body) as unknown);
      const what = behave(received.length);
      if (what === "hang") return void hanging.push(res);
      res.writeHead(what === "fail" ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * For a describe block: an example world (applied once before its tests) and `watch`, which starts
 * `drgitops watch` in it; every watch still running and the world are stopped after the block.
 */
export function useWatchWorld(): {
  world: () => ExampleWorld;
  watch: (...args: string[]) => WatchProcess;
} {
  let world: ExampleWorld | undefined;
  const running: WatchProcess[] = [];
  const current = (): ExampleWorld => {
    if (world === undefined) throw new Error("the example world is not started yet");
    return world;
  };
  beforeAll(async () => {
    world = await exampleWorld();
  }, 120_000);
  afterAll(async () => {
    for (const w of running) await w.stop("SIGKILL");
    await world?.stop();
  });
  return {
    world: current,
    watch: (...args) => {
      const w = startWatch(args, { cwd: current().repo.dir, env: current().env });
      running.push(w);
      return w;
    },
  };
}
