import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  contextDigest,
  datasetCatalogName,
  versionFingerprint,
  type VersionFingerprintInput,
} from "../../src/spec/index.js";

const A = "a".repeat(64);
const B = "b".repeat(64);

function input(overrides: Partial<VersionFingerprintInput> = {}): VersionFingerprintInput {
  return {
    files: [
      { path: "custom.py", sha256: A },
      { path: "lib/util.py", sha256: B },
    ],
    environment: { id: "env1", versionId: "ev1" },
    resources: { memoryBytes: 536870912, replicas: 1, networkEgressPolicy: "NONE" },
    runtimeParameters: {
      CUTOFF: { type: "numeric", value: 0.5 },
      TOKEN: { type: "credential", value: "cred1" },
    },
    trainingData: { datasetId: "d1", partitionColumn: "fold" },
    holdoutData: {},
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

describe("versionFingerprint", () => {
  it("is a sha256 tag", () => {
    expect(versionFingerprint(input())).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("ignores key order, file order and path separators", () => {
    const base = versionFingerprint(input());
    const shuffled: VersionFingerprintInput = {
      holdoutData: {},
      trainingData: { partitionColumn: "fold", datasetId: "d1" },
      runtimeParameters: {
        TOKEN: { value: "cred1", type: "credential" },
        CUTOFF: { value: 0.5, type: "numeric" },
      },
      resources: { networkEgressPolicy: "NONE", replicas: 1, memoryBytes: 536870912 },
      environment: { versionId: "ev1", id: "env1" },
      files: [
        { sha256: B, path: "lib\\util.py" },
        { sha256: A, path: "./custom.py" },
      ],
    };
    expect(versionFingerprint(shuffled)).toBe(base);
  });

  it("changes when anything that defines a version changes", () => {
    const base = versionFingerprint(input());
    const variants: Partial<VersionFingerprintInput>[] = [
      {
        files: [
          { path: "custom.py", sha256: B },
          { path: "lib/util.py", sha256: B },
        ],
      },
      { files: [{ path: "custom.py", sha256: A }] },
      { environment: { id: "env1", versionId: "ev2" } },
      { resources: { memoryBytes: 1073741824, replicas: 1, networkEgressPolicy: "NONE" } },
      {
        runtimeParameters: {
          CUTOFF: { type: "numeric", value: 0.6 },
          TOKEN: { type: "credential", value: "cred1" },
        },
      },
      { trainingData: { datasetId: "d1" } },
      { holdoutData: { datasetId: "h1" } },
    ];
    for (const v of variants) expect(versionFingerprint(input(v))).not.toBe(base);
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
