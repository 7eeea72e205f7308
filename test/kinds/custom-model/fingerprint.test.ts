import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { VersionSpec } from "../../../src/kinds/custom-model/actions.js";
import { versionSpecFingerprint } from "../../../src/kinds/custom-model/fingerprint.js";
import { datasetCatalogName } from "../../../src/kinds/dataset/schema.js";
import { contextDigest } from "../../../src/kinds/execution-environment/desired.js";
import { canonicalJson } from "../../../src/spec/canonical-json.js";

const A = "a".repeat(64);
const B = "b".repeat(64);

function spec(overrides: Partial<VersionSpec> = {}): VersionSpec {
  return {
    files: [
      { path: "custom.py", sha256: A },
      { path: "lib/util.py", sha256: B },
    ],
    environment: { id: "env1", versionId: "ev1" },
    resources: { maximumMemory: 536870912, replicas: 1, networkEgressPolicy: "NONE" },
    runtimeParameterValues: [
      { source: "value", fieldName: "CUTOFF", type: "numeric", value: 0.5 },
      { source: "value", fieldName: "TOKEN", type: "credential", value: "cred1" },
    ],
    trainingData: { dataset: { id: "d1" }, partitionColumn: "fold" },
    holdoutData: null,
    unmanaged: [],
    ...overrides,
  };
}

describe("canonicalJson", () => {
  it("sorts keys at every depth, keeps array order and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"x":0,"y":1}]},"b":1}',
    );
  });

  it("refuses values JSON cannot represent", () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(/no JSON form/);
  });

  it("is invariant under key order (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });
});

describe("versionSpecFingerprint", () => {
  it("is the digest of the documented canonical form, so trailers already on DataRobot stay valid", () => {
    // DESIGN.md §5: files, environment, resources (memory as bytes), runtime values, training/holdout data.
    const canonical =
      '{"environment":{"id":"env1","versionId":"ev1"},' +
      `"files":[{"path":"custom.py","sha256":"${A}"},{"path":"lib/util.py","sha256":"${B}"}],` +
      '"holdoutData":{},' +
      '"resources":{"memoryBytes":536870912,"networkEgressPolicy":"NONE","replicas":1},' +
      '"runtimeParameters":{"CUTOFF":{"type":"numeric","value":0.5},"TOKEN":{"type":"credential","value":"cred1"}},' +
      '"trainingData":{"datasetId":"d1","partitionColumn":"fold"}}';
    expect(versionSpecFingerprint(spec())).toBe(
      `sha256:${createHash("sha256").update(canonical).digest("hex")}`,
    );
  });

  it("ignores file order and path separators", () => {
    const base = versionSpecFingerprint(spec());
    const shuffled = spec({
      files: [
        { sha256: B, path: "lib\\util.py" },
        { sha256: A, path: "./custom.py" },
      ],
    });
    expect(versionSpecFingerprint(shuffled)).toBe(base);
  });

  it("changes when anything that defines a version changes", () => {
    const base = versionSpecFingerprint(spec());
    const variants: Partial<VersionSpec>[] = [
      {
        files: [
          { path: "custom.py", sha256: B },
          { path: "lib/util.py", sha256: B },
        ],
      },
      { files: [{ path: "custom.py", sha256: A }] },
      { environment: { id: "env1", versionId: "ev2" } },
      { resources: { maximumMemory: 1073741824, replicas: 1, networkEgressPolicy: "NONE" } },
      { runtimeParameterValues: [{ source: "value", fieldName: "CUTOFF", type: "numeric", value: 0.6 }] },
      { trainingData: { dataset: { id: "d1" } } },
      { holdoutData: { dataset: { id: "h1" } } },
    ];
    for (const v of variants) expect(versionSpecFingerprint(spec(v))).not.toBe(base);
  });

  it("leaves unmanaged fields out, and waits for ids this plan has not produced yet", () => {
    const base = versionSpecFingerprint(spec({ unmanaged: ["resources"] }));
    expect(versionSpecFingerprint(spec({ unmanaged: ["resources"], resources: { replicas: 9 } }))).toBe(base);
    const pending = spec({ environment: { fromAction: "buildEnvironmentVersion:ns/env" } });
    expect(versionSpecFingerprint(pending)).toBeNull();
    const produced = new Map([
      ["buildEnvironmentVersion:ns/env", { environmentId: "env1", environmentVersionId: "ev1" }],
    ]);
    expect(versionSpecFingerprint(pending, produced)).toBe(versionSpecFingerprint(spec()));
  });

  it("records a sensitive value by its digest and a reset not at all", () => {
    const sensitive = spec({
      runtimeParameterValues: [
        { source: "sensitive", fieldName: "KEY", type: "string", envVar: "K", valueHash: `hmac-sha256:${A}` },
        { source: "default", fieldName: "OLD", type: "string" },
      ],
    });
    const without = spec({
      runtimeParameterValues: [
        {
          source: "sensitive",
          fieldName: "KEY",
          type: "string",
          envVar: "OTHER",
          valueHash: `hmac-sha256:${A}`,
        },
      ],
    });
    expect(versionSpecFingerprint(sensitive)).toBe(versionSpecFingerprint(without));
  });
});

describe("digests for environments and datasets", () => {
  it("contextDigest depends on paths and contents, not on listing order or separators", () => {
    const one = contextDigest([
      { path: "Dockerfile", sha256: A },
      { path: "etc/x", sha256: B },
    ]);
    expect(
      contextDigest([
        { path: "etc\\x", sha256: B },
        { path: "Dockerfile", sha256: A },
      ]),
    ).toBe(one);
    expect(contextDigest([{ path: "Dockerfile", sha256: A }])).not.toBe(one);
  });

  it("datasetCatalogName carries the first 12 hex of the digest", () => {
    expect(datasetCatalogName("churn-train", "0123456789abcdef".repeat(4))).toBe("churn-train-0123456789ab");
  });
});

describe("versionSpecFingerprint's memo of file lists", () => {
  it("gives each list its own digest, and the same as a fresh copy of that list", () => {
    const files = [
      { path: "custom.py", sha256: A },
      { path: "lib/util.py", sha256: B },
    ];
    const first = versionSpecFingerprint(spec({ files }));
    // The same array again (watch keeps an unchanged document's lists), then a copy, then other content.
    expect(versionSpecFingerprint(spec({ files }))).toBe(first);
    expect(versionSpecFingerprint(spec({ files: files.map((f) => ({ ...f })) }))).toBe(first);
    expect(versionSpecFingerprint(spec({ files: [{ path: "custom.py", sha256: B }] }))).not.toBe(first);
    // The rest of the spec still counts when the list is one already seen.
    expect(versionSpecFingerprint(spec({ files, holdoutData: { dataset: { id: "h1" } } }))).not.toBe(first);
    expect(versionSpecFingerprint(spec({ files: null }))).toBe(versionSpecFingerprint(spec({ files: [] })));
  });
});
