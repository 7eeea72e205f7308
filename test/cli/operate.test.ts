import { describe, expect, it } from "vitest";
import { follow, followExitCode, newInTail } from "../../src/cli/commands/logs.js";
import type { CliContext } from "../../src/cli/context.js";
import { keyFor, secretRedactor } from "../../src/cli/operate.js";
import { customModelOperations } from "../../src/kinds/custom-model/apply-operations.js";
import type { LogFollow } from "../../src/kinds/operations.js";
import type { LoadedResource } from "../../src/spec/project.js";

describe("newInTail", () => {
  it("returns what follows the longest overlap of what was printed with the tail", () => {
    expect(newInTail("a\nb\n", "b\nc\nd\n")).toBe("c\nd\n");
    expect(newInTail("a\nb\n", "a\nb\n")).toBe("");
    expect(newInTail("a\nb\nc\n", "c\n")).toBe("");
    expect(newInTail("a\n", "")).toBe("");
  });

  it("says when the tail no longer overlaps (more was written than it holds)", () => {
    expect(newInTail("a\nb\n", "x\ny\n")).toBeUndefined();
  });
});

describe("follow", () => {
  const ctx = { signal: new AbortController().signal } as CliContext;

  /** A job whose log grows by one line a poll and that ends after `polls` polls. */
  function growingJob(lines: string[], polls: number, tailLines = 100): LogFollow & { log: () => string } {
    let n = 1;
    let asked = 0;
    const log = (): string => lines.slice(0, n).join("");
    return {
      log,
      poll: () => {
        asked += 1;
        n = Math.min(lines.length, n + 1);
        return Promise.resolve(
          asked >= polls ? { running: false, outcome: "gate-failed" } : { running: true, outcome: "running" },
        );
      },
      tail: () =>
        Promise.resolve(
          log()
            .split(/(?<=\n)/)
            .slice(-tailLines)
            .join(""),
        ),
      full: () => Promise.resolve(lines.join("")),
    };
  }

  it("prints each new line once and the rest of the log when the job ends; returns how it ended", async () => {
    const lines = [
      "Testing\n",
      "errorCheck: succeeded\n",
      "sideEffects: failed\n",
      "overallStatus: failed\n",
    ];
    const job = growingJob(lines, 3);
    const out: string[] = [];
    const outcome = await follow(ctx, job, lines[0]!, (t) => out.push(t), 1);
    expect(outcome).toBe("gate-failed");
    expect(lines[0]! + out.join("")).toBe(lines.join(""));
  });

  it("catches up from the whole log when more was written than the tail holds", async () => {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i}\n`);
    const job = growingJob(lines, 20, 1);
    // Each poll adds one line but the tail holds only one: overlap is lost, the whole log fills the gap.
    const out: string[] = [];
    await follow(ctx, job, lines[0]!, (t) => out.push(t), 1);
    expect(lines[0]! + out.join("")).toBe(lines.join(""));
  });

  it("stops following when interrupted", async () => {
    const controller = new AbortController();
    controller.abort();
    const job = growingJob(["a\n", "b\n"], 100);
    expect(await follow({ signal: controller.signal } as CliContext, job, "a\n", () => undefined, 1)).toBe(
      "interrupted",
    );
  });

  it("exits as apply would for that job: 0 passed, 7 a failed test, 4 a failed build", () => {
    expect(followExitCode("passed")).toBe(0);
    expect(followExitCode("gate-failed")).toBe(7);
    expect(followExitCode("failed")).toBe(4);
  });
});

describe("secrets", () => {
  it("replaces every secret, longest first, whatever its length", () => {
    const redact = secretRedactor(["hunter2", "hunter2-long", "", "x"]);
    expect(redact("key=hunter2-long pw=hunter2 x")).toBe("key=[REDACTED] pw=[REDACTED] [REDACTED]");
  });

  it("a model's sensitive runtime values are the set {env, sensitive: true} variables, nothing else", () => {
    const resource = (runtimeParameters: Record<string, unknown>): LoadedResource =>
      ({ kind: "CustomModel", manifest: { spec: { runtimeParameters } } }) as unknown as LoadedResource;
    const secrets = customModelOperations.secrets!(
      [
        resource({
          TOKEN: { env: "SECRET_TOKEN", sensitive: true },
          PLAIN: { env: "PLAIN_VALUE" },
          UNSET: { env: "NOT_SET", sensitive: true },
          LITERAL: "visible",
        }),
        { kind: "ExecutionEnvironment", manifest: {} } as unknown as LoadedResource,
      ],
      { SECRET_TOKEN: "s3cr3t-value", PLAIN_VALUE: "fine-to-show" },
    );
    expect(secrets).toEqual(["s3cr3t-value"]);
  });

  it("KEY is a name in the namespace or a full key; never another namespace's", () => {
    expect(keyFor("fraud", "acme/models")).toBe("acme/models/fraud");
    expect(keyFor("acme/models/fraud", "acme/models")).toBe("acme/models/fraud");
    expect(keyFor("other/fraud", "acme/models")).toBe("acme/models/other/fraud");
  });
});
