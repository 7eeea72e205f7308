import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { CsvScanner, summariseCsv } from "../../../src/emulator/domain/csv.js";
import { inspectDockerContext } from "../../../src/emulator/domain/docker-context.js";
import { parseScenario, scenarioForModel } from "../../../src/emulator/domain/scenario.js";
import {
  errorCheckProblems,
  initialTestingStatus,
  resolveConfiguration,
  runChecks,
} from "../../../src/emulator/domain/test-checks.js";
import { tailLines } from "../../../src/emulator/routes/text.js";
import { tar, zip } from "./archives.js";
import { tempDir } from "./harness.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const csv = (text: string) => summariseCsv(Readable.from([Buffer.from(text)]));

describe("CSV ingestion", () => {
  it("counts data rows and reads the header", async () => {
    expect(await csv("a,b,c\n1,2,3\n4,5,6\n")).toEqual({
      kind: "table",
      columns: ["a", "b", "c"],
      rowCount: 2,
    });
  });

  it("handles a BOM, CRLF, quoted commas, escaped quotes and newlines inside quotes", async () => {
    const text = '\ufeff"id","note, with comma"\r\n1,"say ""hi"""\r\n2,"two\nlines"\r\n';
    expect(await csv(text)).toEqual({ kind: "table", columns: ["id", "note, with comma"], rowCount: 2 });
  });

  it("counts a last row without a trailing newline and ignores blank lines", async () => {
    expect(await csv("x\n1\n\n2")).toEqual({ kind: "table", columns: ["x"], rowCount: 2 });
  });

  it("reports an empty file, including one holding only a BOM and newlines", async () => {
    expect(await csv("")).toEqual({ kind: "empty" });
    expect(await csv("\ufeff\n\n")).toEqual({ kind: "empty" });
  });

  it("calls ragged rows and broken quoting unparseable, naming the line", async () => {
    expect(await csv("a,b\n1,2\n3\n")).toEqual({
      kind: "unparseable",
      reason: "line 3 has 1 fields, the header has 2",
    });
    expect((await csv('a\n"open\n')).kind).toBe("unparseable");
    expect(await csv('a,b\n1,x"y\n')).toEqual({
      kind: "unparseable",
      reason: "unexpected quote inside an unquoted field at line 2",
    });
  });

  it("gives the same result however the stream is split into chunks", () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[a-z0-9 ]{0,4}$/),
      fc.string().map((s) => `"${s.replace(/"/g, '""')}"`),
    );
    const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(table, fc.array(fc.nat(40), { maxLength: 8 }), (rows, cuts) => {
        const text = rows.map((r) => r.join(",")).join("\n");
        const whole = new CsvScanner();
        whole.write(Buffer.from(text));
        const expected = whole.end();
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const split = new CsvScanner();
        let at = 0;
        for (const p of [...points, bytes.length]) {
          split.write(bytes.subarray(at, p));
          at = p;
        }
        expect(split.end()).toEqual(expected);
      }),
    );
  });
});

describe("test checks", () => {
  const ok = { filePaths: ["custom.py"], metadataProblem: null, missingRuntimeParameters: [] };

  it("accepts each kind of entry point, only at the top level", () => {
    for (const p of ["custom.py", "custom.R", "start_server.sh", "model.pkl", "net.ONNX"]) {
      expect(errorCheckProblems({ ...ok, filePaths: [p] })).toEqual([]);
    }
    expect(errorCheckProblems({ ...ok, filePaths: ["src/custom.py", "README.md"] })[0]).toMatch(
      /No entry point/,
    );
  });

  it("names every reason errorCheck fails", () => {
    const problems = errorCheckProblems({
      filePaths: [],
      metadataProblem: "runtimeParameterDefinitions[0].type: invalid",
      missingRuntimeParameters: ["OPENAI_KEY"],
    });
    expect(problems).toHaveLength(3);
    expect(problems[1]).toContain("runtimeParameterDefinitions[0].type");
    expect(problems[2]).toContain("OPENAI_KEY");
  });

  it("fills defaults per API.md, skipping two checks for Unstructured models", () => {
    expect(resolveConfiguration({}, "Binary")).toMatchObject({
      errorCheck: "fail",
      longRunningService: "fail",
      nullValueImputation: "warn",
      sideEffects: "warn",
      stabilityCheck: "skip",
    });
    expect(resolveConfiguration({ stabilityCheck: "fail" }, "Unstructured")).toMatchObject({
      nullValueImputation: "skip",
      sideEffects: "skip",
      stabilityCheck: "fail",
    });
  });

  it("always reports the four base checks, plus configured ones, with string messages", () => {
    const settings = resolveConfiguration({ sideEffects: "skip", performanceCheck: "warn" }, "Binary");
    const status = initialTestingStatus(settings);
    expect(Object.keys(status).sort()).toEqual(
      ["errorCheck", "longRunningService", "nullValueImputation", "performanceCheck", "sideEffects"].sort(),
    );
    expect(status.sideEffects).toEqual({ status: "skipped", message: "" });
    expect(status.errorCheck).toEqual({ status: "in_progress", message: "" });
  });

  it("derives overall status from the worst check and logs reasons", () => {
    const settings = resolveConfiguration({}, "Binary");
    const failed = runChecks(settings, { ...ok, filePaths: [] });
    expect(failed.overallStatus).toBe("failed");
    expect(failed.testingStatus.errorCheck?.status).toBe("failed");
    expect(failed.log).toMatch(/errorCheck: failed[\s\S]*Reasons:[\s\S]*No entry point/);
    expect(runChecks(settings, ok).overallStatus).toBe("succeeded");
  });

  it("applies scripted outcomes: fail as the configured severity, pass over a real failure", () => {
    const settings = resolveConfiguration({}, "Binary");
    const warned = runChecks(settings, ok, { sideEffects: { outcome: "fail", message: "writes to /tmp" } });
    expect(warned.overallStatus).toBe("warning");
    expect(warned.testingStatus.sideEffects).toEqual({ status: "warning", message: "writes to /tmp" });
    const forced = runChecks(settings, { ...ok, filePaths: [] }, { errorCheck: { outcome: "pass" } });
    expect(forced.overallStatus).toBe("succeeded");
  });
});

describe("docker context", () => {
  function file(name: string, content: Buffer): string {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  it("finds a root Dockerfile in zip, tar and tar.gz contexts", async () => {
    const entries = { Dockerfile: "FROM python:3.11", "app/main.py": "" };
    for (const [name, bytes] of [
      ["c.zip", await zip(entries)],
      ["c.tar", await tar(entries)],
      ["c.tgz", gzipSync(await tar({ "./Dockerfile": "FROM x" }))],
    ] as const) {
      expect(await inspectDockerContext(file(name, bytes))).toMatchObject({ ok: true, hasDockerfile: true });
    }
  });

  it("does not count a nested Dockerfile", async () => {
    const report = await inspectDockerContext(file("c.zip", await zip({ "sub/Dockerfile": "FROM x" })));
    expect(report).toMatchObject({ ok: true, hasDockerfile: false, files: ["sub/Dockerfile"] });
  });

  it("reports unreadable archives instead of throwing", async () => {
    expect(await inspectDockerContext(file("c.zip", Buffer.from("not an archive")))).toEqual({
      ok: false,
      error: "Cannot read the docker context: not a zip, tar or tar.gz archive",
    });
    const truncated = (await zip({ Dockerfile: "FROM x" })).subarray(0, 40);
    expect(await inspectDockerContext(file("c.zip", truncated))).toMatchObject({ ok: false });
  });

  it("refuses a context past any of its limits, in every format", async () => {
    const limits = { maxExpandedBytes: 64 * 1024, maxRatio: 10, ratioFloorBytes: 16 * 1024, maxEntries: 5 };
    const many = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}`, "x"]));
    const big = { Dockerfile: "FROM x\n", "data.bin": String(Math.random()).repeat(20_000) };
    const zeros = { Dockerfile: "FROM x\n", "zeros.bin": "\u0000".repeat(40 * 1024) };
    for (const [name, bytes, reason] of [
      ["many.zip", await zip(many), "more than 5 entries"],
      ["many.tar", await tar(many), "more than 5 entries"],
      ["big.tar", await tar(big), "expands to more than 65536 bytes"],
      ["big.zip", await zip(big), "expands to more than 65536 bytes"],
      ["zeros.tgz", gzipSync(await tar(zeros)), "expands more than 10:1"],
      ["zeros.zip", await zip(zeros), "expands more than 10:1"],
    ] as const) {
      const report = await inspectDockerContext(file(name, bytes), limits);
      expect(report, name).toEqual({ ok: false, error: expect.stringContaining(reason) as unknown });
      expect(await inspectDockerContext(file(name, bytes)), name).toMatchObject({ ok: true });
    }
  });
});

describe("scenario file", () => {
  it("parses outcomes in short and long form and finds models by userProvidedId, then name", () => {
    const scenario = parseScenario(
      [
        "models:",
        '  "acme/fraud":',
        "    tests: {sideEffects: fail, errorCheck: {outcome: pass}}",
        "    dependencyBuild: {outcome: fail, message: pip exploded}",
        "  churn: {dependencyBuild: fail}",
        "environments:",
        "  py311: {build: fail}",
      ].join("\n"),
      "s.yaml",
    );
    expect(scenarioForModel(scenario, { userProvidedId: "acme/fraud", name: "x" })?.dependencyBuild).toEqual({
      outcome: "fail",
      message: "pip exploded",
    });
    expect(scenarioForModel(scenario, { userProvidedId: null, name: "churn" })?.dependencyBuild).toEqual({
      outcome: "fail",
    });
    expect(scenarioForModel(scenario, { name: "other" })).toBeUndefined();
    expect(scenario.environments.py311?.build).toEqual({ outcome: "fail" });
  });

  it("rejects unknown checks and outcomes, naming file, line and field", () => {
    const text = [
      "models:",
      "  m:",
      "    tests:",
      "      sideEffect: fail",
      "    dependencyBuild: maybe",
    ].join("\n");
    expect(() => parseScenario(text, "s.yaml")).toThrow(/s\.yaml:4: models\.m\.tests\.sideEffect/);
    expect(() => parseScenario(text, "s.yaml")).toThrow(/s\.yaml:5: models\.m\.dependencyBuild/);
    expect(() => parseScenario("models: [", "s.yaml")).toThrow(/s\.yaml:1: invalid YAML/);
  });
});

describe("log tail", () => {
  it("keeps the last n lines and the trailing newline", () => {
    const log = `${Array.from({ length: 150 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
    const tail = tailLines(log, 100);
    expect(tail.split("\n")).toHaveLength(101);
    expect(tail.startsWith("line 51\n")).toBe(true);
    expect(tail.endsWith("line 150\n")).toBe(true);
    expect(tailLines("a\nb", 100)).toBe("a\nb");
  });
});
