import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
import type { Node, ScalarTag, Tags } from "yaml";
import type { FieldPath } from "../../spec/issue.js";
import type { YamlDoc } from "../../spec/yaml-doc.js";

/**
 * YAML as custom-models-action reads it: PyYAML's `safe_load`, i.e. YAML 1.1 with PyYAML's own
 * resolvers (`yes`/`on` are booleans but `y`/`n` are not; `1e3` is a string, `1.0e+3` a float), the
 * last of duplicate keys wins, and a file must hold one document. The result keeps the node tree, so
 * every problem can point at its line and column (src/spec/yaml-doc.ts `locate`).
 */

const BOOL = "tag:yaml.org,2002:bool";
const FLOAT = "tag:yaml.org,2002:float";

/** PyYAML's `Resolver` float pattern (resolver.py). */
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function resolveFloat(text: string): number {
  const value = text.replace(/_/g, "").toLowerCase();
  const sign = value.startsWith("-") ? -1 : 1;
  const unsigned = value.replace(/^[-+]/, "");
  if (unsigned === ".inf") return sign * Infinity;
  if (unsigned === ".nan") return NaN;
  if (unsigned.includes(":")) {
    // Sexagesimal: 190:20:30.15 is 190*3600 + 20*60 + 30.15.
    return sign * unsigned.split(":").reduce((total, part) => total * 60 + Number(part), 0);
  }
  return sign * Number(unsigned);
}

const PY_TAGS: ScalarTag[] = [
  {
    tag: BOOL,
    default: true,
    test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
    identify: (v) => v === true,
    resolve: () => true,
  },
  {
    tag: BOOL,
    default: true,
    test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
    identify: (v) => v === false,
    resolve: () => false,
  },
  {
    tag: FLOAT,
    default: true,
    test: PY_FLOAT,
    identify: (v) => typeof v === "number",
    resolve: resolveFloat,
  },
];

/** The yaml-1.1 schema with PyYAML's booleans and floats instead of the YAML 1.1 spec's. */
function pyTags(tags: Tags): Tags {
  const kept = tags.filter(
    (t) => !(typeof t === "object" && "tag" in t && (t.tag === BOOL || t.tag === FLOAT)),
  );
  return [...PY_TAGS, ...kept];
}

export type PyYamlResult =
  | { kind: "ok"; doc: YamlDoc }
  | { kind: "empty" }
  | { kind: "error"; line: number; column: number; message: string };

/** `yaml.safe_load` of one file, keeping positions. */
export function parsePyYaml(file: string, text: string): PyYamlResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    version: "1.1",
    customTags: pyTags,
    uniqueKeys: false,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [];
  const first = list[0];
  if (first === undefined) return { kind: "empty" };
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return {
        kind: "error",
        line,
        column: col,
        message: `YAML syntax error: ${error.message.split("\n")[0]}`,
      };
    }
  }
  const second = list[1];
  if (second !== undefined) {
    const { line, col } = lineCounter.linePos(second.range[0]);
    return {
      kind: "error",
      line,
      column: col,
      message: "more than one YAML document: CMA (PyYAML safe_load) reads exactly one document per file",
    };
  }
  const start = first.contents?.range[0] ?? 0;
  const { line, col } = lineCounter.linePos(start);
  let data: unknown;
  try {
    data = first.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      kind: "error",
      line,
      column: col,
      message: `YAML cannot be expanded: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  // CMA skips a file whose content is falsy in Python (`if not yaml_content`): empty, null, {}, [], 0.
  if (pyFalsy(data)) return { kind: "empty" };
  return { kind: "ok", doc: { file, index: 0, doc: first, lineCounter, data, line, column: col } };
}

function pyFalsy(data: unknown): boolean {
  if (data === null || data === undefined || data === false || data === 0 || data === "") return true;
  if (Array.isArray(data)) return data.length === 0;
  return typeof data === "object" && Object.keys(data).length === 0;
}

/** Whether the scalar at `path` is a number PyYAML reads as a float (not an int). */
export function isPyFloatAt(doc: YamlDoc, path: FieldPath): boolean | undefined {
  const node = nodeAt(doc.doc.contents ?? null, path);
  if (!isScalar(node) || typeof node.value !== "number") return undefined;
  if (node.tag === FLOAT) return true;
  if (node.tag !== undefined) return false;
  return PY_FLOAT.test(node.source ?? "");
}

/** Every number in the document with its path: CMA checks int versus float, JS cannot tell them apart. */
export function numberPaths(doc: YamlDoc): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: unknown, path: FieldPath): void => {
    if (isMap(node)) {
      for (const pair of node.items)
        if (isPair(pair) && isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)]);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === "number") {
      out.push(path);
    }
  };
  walk(doc.doc.contents, []);
  return out;
}

function nodeAt(root: Node | null, path: FieldPath): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      node = pair?.value ?? null;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment] ?? null;
    } else {
      return undefined;
    }
  }
  return node;
}
