import type { Document, Node } from "yaml";
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from "yaml";
import type { FieldPath, Issue } from "./issue.js";

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: true } as const;

/** One YAML document with what is needed to turn a field path back into a file position. */
export interface YamlDoc {
  file: string;
  index: number;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data (`undefined` for an empty document). */
  data: unknown;
  line: number;
  column: number;
}

export interface Position {
  line: number;
  column: number;
  /** False when the path does not exist and the position is that of its deepest existing parent. */
  exact: boolean;
}

/** Parses every document of a YAML text; syntax errors become issues with their exact position. */
export function parseYaml(file: string, text: string): { docs: YamlDoc[]; issues: Issue[] } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
  const documents = Array.isArray(parsed) ? parsed : [];
  const docs: YamlDoc[] = [];
  const issues: Issue[] = [];
  documents.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const duplicate = error.code === "DUPLICATE_KEY";
        issues.push({
          code: duplicate ? "duplicate-yaml-key" : "yaml-syntax",
          severity: "error",
          file,
          line,
          column: col,
          path: [],
          message: duplicate
            ? `${keyNamed(doc, error.pos[0])} appears twice in one mapping; YAML keeps only one, so remove the other`
            : `YAML syntax error: ${firstLine(error.message)}`,
        });
      }
      return;
    }
    const start = doc.contents?.range[0] ?? 0;
    const { line, col } = lineCounter.linePos(start);
    const stray = strayAlias(doc);
    if (stray !== undefined) {
      const at = lineCounter.linePos(stray.offset);
      const elsewhere = documents.some((other) => other !== doc && anchors(other).has(stray.name));
      issues.push({
        code: "yaml-alias",
        severity: "error",
        file,
        line: at.line,
        column: at.col,
        path: [],
        message: elsewhere
          ? `alias *${quoteCut(stray.name, 80)} names an anchor of another document; anchors do not cross "---" documents, so repeat the value (or its anchor) in this one`
          : `alias *${quoteCut(stray.name, 80)} names no anchor set before it in this document`,
      });
      return;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // An alias bomb ("billion laughs") must be a finding, not a crash or an out-of-memory.
      issues.push({
        code: "yaml-syntax",
        severity: "error",
        file,
        line,
        column: col,
        path: [],
        message: `YAML cannot be expanded: ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    docs.push({ file, index, doc, lineCounter, data, line, column: col });
  });
  return { docs, issues };
}

/**
 * A document whose data and start are already known (the parse cache): its YAML nodes, needed only
 * to place an issue, are parsed from `text` on first use, once for every document of the text.
 */
export function lazyYamlDoc(
  file: string,
  text: string,
  known: { index: number; data: unknown; line: number; column: number },
  shared: { parsed?: { docs: Document.Parsed[]; lineCounter: LineCounter } } = {},
): YamlDoc {
  const full = (): { docs: Document.Parsed[]; lineCounter: LineCounter } => {
    if (shared.parsed) return shared.parsed;
    const lineCounter = new LineCounter();
    const parsed = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
    return (shared.parsed = { docs: Array.isArray(parsed) ? parsed : [], lineCounter });
  };
  return {
    file,
    index: known.index,
    data: known.data,
    line: known.line,
    column: known.column,
    get doc(): Document.Parsed {
      const doc = full().docs[known.index];
      if (doc === undefined) throw new Error(`internal error: ${file} has no YAML document ${known.index}`);
      return doc;
    },
    get lineCounter(): LineCounter {
      return full().lineCounter;
    },
  };
}

/** `the key "name"` of the mapping pair whose key starts at `offset`, for duplicate-key errors. */
function keyNamed(doc: Document.Parsed, offset: number): string {
  let name: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        name = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return name === undefined ? "the same key" : `the key "${quoteCut(name, 80)}"`;
}

/** The first alias whose anchor is not set before it in the same document (YAML scopes anchors so). */
function strayAlias(doc: Document.Parsed): { name: string; offset: number } | undefined {
  const seen = new Set<string>();
  let stray: { name: string; offset: number } | undefined;
  visit(doc, (_, node) => {
    if (isAlias(node)) {
      if (!seen.has(node.source)) {
        stray = { name: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
    } else if (isNode(node) && node.anchor !== undefined) seen.add(node.anchor);
    return undefined;
  });
  return stray;
}

function anchors(doc: Document.Parsed): Set<string> {
  const names = new Set<string>();
  visit(doc, (_, node) => {
    if (isNode(node) && !isAlias(node) && node.anchor !== undefined) names.add(node.anchor);
  });
  return names;
}

/** The first line of the YAML library's message, with quoted text cut (binary junk can be megabytes). */
function firstLine(message: string): string {
  return quoteCut(message.split("\n")[0] ?? message);
}

/** Text for a message: control characters escaped, at most `max` characters. */
export function quoteCut(text: string, max = 200): string {
  const visible = text.replace(
    // eslint-disable-next-line no-control-regex -- the point is to find them
    /[\u0000-\u0008\u000b-\u001f\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return visible.length <= max
    ? visible
    : `${visible.slice(0, max)}… (${visible.length - max} more characters)`;
}

/**
 * The position of the node at `path`, or of the mapping key when `atKey`. When the path does not
 * exist (a missing field) it is the position of the deepest existing parent, typically the mapping.
 */
export function locate(target: YamlDoc, path: FieldPath, atKey = false): Position {
  let node: Node | null = target.doc.contents ?? null;
  let offset = node?.range?.[0] ?? 0;
  let exact = true;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (pair === undefined) {
        exact = false;
        break;
      }
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      // `field:` with no value has a null node without a useful range: point at the key instead.
      if ((last && atKey) || value === null || (isScalar(value) && value.range?.[0] === value.range?.[1])) {
        offset = key.range?.[0] ?? offset;
        node = last ? key : value;
        if (!last && value === null) {
          exact = false;
          break;
        }
        continue;
      }
      node = value;
      offset = value.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) {
        exact = false;
        break;
      }
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      exact = false;
      break;
    }
  }
  const { line, col } = target.lineCounter.linePos(offset);
  return { line, column: col, exact };
}
