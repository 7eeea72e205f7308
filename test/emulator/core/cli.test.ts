import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { startEmulator } from "../../../src/emulator/index.js";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((d) => setTimeout(d, 10));
}

describe("drgitops emulator", () => {
  it("prints the endpoint and a generated token, serves until aborted, and keeps data under .drgitops/emulator", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "drgitops-cli-"));
    dirs.push(cwd);
    const out = capture();
    const err = capture();
    const controller = new AbortController();
    const done = main(["node", "drgitops", "emulator", "--port", "0", "--job-duration", "5"], {
      cwd,
      stdout: out.stream,
      stderr: err.stream,
      signal: controller.signal,
    });
    await waitFor(() => out.text().includes("Token:"));
    const url = /listening on (\S+)/.exec(out.text())?.[1] ?? "";
    const token = /Token: ([0-9a-f]+)/.exec(out.text())?.[1] ?? "";
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    const r = await fetch(`${url}/customModels/`, { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    controller.abort();
    expect(await done).toBe(0);
    expect(out.text()).toContain(join(cwd, ".drgitops", "emulator"));
    expect(readFileSync(join(cwd, ".drgitops", ".gitignore"), "utf8")).toBe("*\n");
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
  });

  it("does not echo a token given with --token", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "drgitops-cli-"));
    dirs.push(cwd);
    const out = capture();
    const controller = new AbortController();
    const done = main(
      ["node", "drgitops", "emulator", "--port", "0", "--token", "my-secret-token", "--data", "d"],
      {
        cwd,
        stdout: out.stream,
        signal: controller.signal,
      },
    );
    await waitFor(() => out.text().includes("Token:"));
    controller.abort();
    expect(await done).toBe(0);
    expect(out.text()).not.toContain("my-secret-token");
    expect(out.text()).toContain(join(cwd, "d"));
  });

  it.each([
    ["--error-rate", "1.5"],
    ["--port", "-1"],
    ["--job-duration", "soon"],
  ])("refuses %s %s as a usage error", async (flag, value) => {
    const err = capture();
    const code = await main(["node", "drgitops", "emulator", flag, value], { stderr: err.stream });
    expect(code).toBe(1);
    expect(err.text()).toContain(flag);
  });

  it("says which port is taken and how to choose another", async () => {
    const busy = await startEmulator();
    try {
      const err = capture();
      const port = new URL(busy.url).port;
      const cwd = mkdtempSync(join(tmpdir(), "drgitops-cli-"));
      dirs.push(cwd);
      const code = await main(["node", "drgitops", "emulator", "--port", port], { stderr: err.stream, cwd });
      expect(code).toBe(1);
      expect(err.text()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await busy.stop();
    }
  });

  it("reports a bad scenario file and exits 1", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "drgitops-cli-"));
    dirs.push(cwd);
    const err = capture();
    const code = await main(["node", "drgitops", "emulator", "--port", "0", "--scenario", "missing.yaml"], {
      cwd,
      stderr: err.stream,
    });
    expect(code).toBe(1);
    expect(err.text()).toContain("missing.yaml");
  });
});
