import { fnmatchTokens, hasMagic, relativeTo } from "./glob.js";
import { recursiveDirPattern } from "./model-files.js";

/**
 * One CMA glob pattern as drgitops `source.include`/`source.exclude` globs (picomatch, `dot: true`,
 * on paths relative to `source.path`). Within one name Python's fnmatch and picomatch agree once
 * picomatch's extra syntax (`{a,b}`, `!(x)`, `+(x)`, `@(x)`, `\`) is escaped and `[!x]` is spelled
 * `[^x]`. What they do not share is said in `Translation`, and convert.ts checks the result against
 * CMA's own selection on the files of the repository.
 */

export type Translation =
  | {
      ok: true;
      globs: string[];
      /** A component starts with `.`: Python then matches hidden names there (see convert.ts). */
      namesHidden: boolean;
    }
  | { ok: false; reason: string };

const ROOTED = /^(\/|\$ROOT\/)/;

/** picomatch syntax outside brackets: ASCII punctuation but `.`, `-`, `_`, `/` and `,` (braces are escaped). */
const PICO_SPECIAL = /[!-+:-@[-^`{-~]/;

const escapeInSet = (ch: string): string => (/[\\\]^[-]/.test(ch) ? `\\${ch}` : ch);

/** One name's fnmatch pattern in picomatch syntax. */
export function picomatchSegment(segment: string): string {
  // `**` alone is a globstar for both; inside a name it is fnmatch's `*` (one token, one star).
  if (segment === "**") return "**";
  return fnmatchTokens(segment)
    .map((t) => {
      if (t.kind === "star") return "*";
      if (t.kind === "one") return "?";
      if (t.kind === "char") return PICO_SPECIAL.test(t.char) ? `\\${t.char}` : t.char;
      const body = t.set.items
        .map((it) => ("char" in it ? escapeInSet(it.char) : `${escapeInSet(it.from)}-${escapeInSet(it.to)}`))
        .join("");
      // An empty set never matches in Python; a negated empty set matches any one character.
      return body === "" ? (t.set.negated ? "?" : "[^\\s\\S]") : `[${t.set.negated ? "^" : ""}${body}]`;
    })
    .join("");
}

/** A path (relative, POSIX) as a picomatch glob matching exactly it. */
export function exactGlob(path: string): string {
  return path
    .split("/")
    .map((name) => [...name].map((c) => (PICO_SPECIAL.test(c) ? `\\${c}` : c)).join(""))
    .join("/");
}

/**
 * `pattern` from `include_glob_pattern` or `exclude_glob_pattern`, for a model whose root is
 * `modelRootInRepo` (its path in the repository, lexical; null when CMA spells it with `..`, so
 * rooted patterns never resolve under it).
 */
export function translateCmaPattern(
  pattern: string,
  kind: "include" | "exclude",
  modelRootInRepo: string | null,
  /** For a literal exclude: what its path is today (CMA decides file or folder on each run). */
  literal: "file" | "folder" | "absent" = "absent",
): Translation {
  const full = recursiveDirPattern(pattern);
  const rooted = ROOTED.exec(full);
  let parts = (rooted ? full.slice(rooted[0].length) : full).split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes(".."))
    return {
      ok: false,
      reason:
        "uses `..`: CMA uploads such a file with every `../` cut out of its path (model_file_path.py), a path drgitops cannot give it",
    };
  if (rooted) {
    const under = modelRootInRepo === null ? null : relativeTo(parts.join("/"), modelRootInRepo);
    if (under === null)
      return {
        ok: false,
        reason: `starts at the repository root (\`${rooted[0]}\`) outside the model's folder: CMA uploads those files with their path from the repository root, and drgitops uploads only files under source.path`,
      };
    parts = under === "" ? [] : under.split("/");
  }
  const namesHidden = parts.some((p) => p.startsWith(".") && p !== "**");
  if (parts.length === 0)
    // The model's root itself: a folder, so it selects nothing; as an exclude it is recursive.
    return { ok: true, globs: kind === "include" ? [] : ["**"], namesHidden };
  const glob = parts.map(picomatchSegment).join("/");
  // CMA excludes a literal path recursively when it is a folder, checked on each run: a path that
  // does not exist yet gets both forms, so it is excluded whichever it becomes.
  const recursive = kind === "exclude" && !hasMagic(full) && !glob.endsWith("**");
  const globs = !recursive
    ? [glob]
    : literal === "file"
      ? [glob]
      : literal === "folder"
        ? [`${glob}/**`]
        : [glob, `${glob}/**`];
  return { ok: true, globs, namesHidden };
}
