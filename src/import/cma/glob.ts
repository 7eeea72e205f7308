import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { posix } from "node:path";

/**
 * Python's `glob.glob(pattern, recursive=True)` (CPython 3.11/3.12 `_iglob`), which is what CMA
 * runs to pick a model's files: `*`, `?` and `[...]` match within one name (fnmatch, case-sensitive),
 * a whole `**` component matches any number of folders, names starting with `.` are matched only by a
 * component that itself starts with `.`, a component without wildcards is taken literally (it only
 * has to exist), and symlinked folders are followed. Results are spelled from the pattern, exactly as
 * Python returns them (`m/./x`, `m/../s/y` stay unnormalised), because CMA derives upload paths from
 * those strings.
 */

const MAGIC = /[*?[]/;

export const hasMagic = (s: string): boolean => MAGIC.test(s);

/** `os.path.split`. */
function split(path: string): { dirname: string; basename: string } {
  const i = path.lastIndexOf("/") + 1;
  const head = path.slice(0, i);
  const dirname = /^\/+$/.test(head) ? head : head.replace(/\/+$/, "");
  return { dirname, basename: path.slice(i) };
}

/** `os.path.join` of two parts. */
function join(dir: string, name: string): string {
  if (name.startsWith("/")) return name;
  if (dir === "") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

const isHidden = (name: string): boolean => name.startsWith(".");

async function lexists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** `_listdir`: names in `dir` (only folders, symlinks followed, when `dirOnly`); nothing on error. */
async function listdir(dir: string, dirOnly: boolean): Promise<string[]> {
  const entries = await readdir(dir === "" ? "." : dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const e of entries) {
    if (!dirOnly || e.isDirectory() || (e.isSymbolicLink() && (await isDir(join(dir, e.name)))))
      names.push(e.name);
  }
  return names.sort();
}

export type FnmatchToken =
  { kind: "star" } | { kind: "one" } | { kind: "set"; set: Bracket } | { kind: "char"; char: string };

/** fnmatch's reading of one name's pattern: a run of `*` is one star, an unclosed `[` a character. */
export function fnmatchTokens(pattern: string): FnmatchToken[] {
  const tokens: FnmatchToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i++]!;
    if (c === "*") {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (c === "?") {
      tokens.push({ kind: "one" });
    } else if (c === "[") {
      const set = parseBracket(pattern, i);
      if (set === null) tokens.push({ kind: "char", char: c });
      else {
        tokens.push({ kind: "set", set });
        i = set.end + 1;
      }
    } else {
      tokens.push({ kind: "char", char: c });
    }
  }
  return tokens;
}

/** fnmatch.translate, for one name: the regex Python matches it with. */
export function fnmatchRegExp(pattern: string): RegExp {
  const out = fnmatchTokens(pattern)
    .map((t) =>
      t.kind === "star"
        ? ".*"
        : t.kind === "one"
          ? "."
          : t.kind === "set"
            ? bracketRegExp(t.set)
            : escapeRegExp(t.char),
    )
    .join("");
  return new RegExp(`^(?:${out})$`, "su");
}

export interface Bracket {
  negated: boolean;
  /** Single characters and inclusive ranges, as Python keeps them (reversed ranges dropped). */
  items: ({ char: string } | { from: string; to: string })[];
  /** Index of the closing `]`. */
  end: number;
}

/** A `[...]` starting after `[` at `start`, as fnmatch reads it, or null when it is not closed. */
export function parseBracket(pattern: string, start: number): Bracket | null {
  let j = start;
  if (pattern[j] === "!") j++;
  if (pattern[j] === "]") j++;
  while (j < pattern.length && pattern[j] !== "]") j++;
  if (j >= pattern.length) return null;
  let body = pattern.slice(start, j);
  const negated = body.startsWith("!");
  if (negated) body = body.slice(1);
  const chars = [...body];
  const items: Bracket["items"] = [];
  for (let k = 0; k < chars.length; k++) {
    const from = chars[k]!;
    const to = chars[k + 2];
    if (chars[k + 1] === "-" && to !== undefined) {
      if (from <= to) items.push({ from, to });
      k += 2;
    } else {
      items.push({ char: from });
    }
  }
  return { negated, items, end: j };
}

function bracketRegExp(b: Bracket): string {
  const code = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16)}}`;
  const body = b.items
    .map((it) => ("char" in it ? code(it.char) : `${code(it.from)}-${code(it.to)}`))
    .join("");
  if (body === "") return b.negated ? "." : "(?!)";
  return `[${b.negated ? "^" : ""}${body}]`;
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

interface Walk {
  /** Real paths of the folders on the current recursion stack: a symlink cycle is not followed. */
  stack: Set<string>;
}

async function* glob0(dir: string, basename: string): AsyncGenerator<string> {
  if (basename === "" ? await isDir(dir) : await lexists(join(dir, basename))) yield basename;
}

async function* glob1(dir: string, pattern: string, dirOnly: boolean): AsyncGenerator<string> {
  let names = await listdir(dir, dirOnly);
  if (!isHidden(pattern)) names = names.filter((x) => !isHidden(x));
  const re = fnmatchRegExp(pattern);
  for (const name of names) if (re.test(name)) yield name;
}

async function* glob2(dir: string, dirOnly: boolean, walk: Walk): AsyncGenerator<string> {
  if (dir === "" || (await isDir(dir))) yield "";
  yield* rlistdir(dir, dirOnly, walk);
}

async function* rlistdir(dir: string, dirOnly: boolean, walk: Walk): AsyncGenerator<string> {
  const real = await realpath(dir === "" ? "." : dir).catch(() => undefined);
  if (real === undefined || walk.stack.has(real)) return;
  walk.stack.add(real);
  try {
    for (const name of await listdir(dir, dirOnly)) {
      if (isHidden(name)) continue;
      yield name;
      for await (const below of rlistdir(join(dir, name), dirOnly, walk)) yield join(name, below);
    }
  } finally {
    walk.stack.delete(real);
  }
}

async function* iglob(pathname: string, dirOnly: boolean, walk: Walk): AsyncGenerator<string> {
  const { dirname, basename } = split(pathname);
  if (!hasMagic(pathname)) {
    if (basename !== "" ? await lexists(pathname) : await isDir(dirname)) yield pathname;
    return;
  }
  if (dirname === "") {
    yield* basename === "**" ? glob2("", dirOnly, walk) : glob1("", basename, dirOnly);
    return;
  }
  const dirs: AsyncIterable<string> | string[] =
    dirname !== pathname && hasMagic(dirname) ? iglob(dirname, true, walk) : [dirname];
  for await (const dir of dirs) {
    const names =
      basename === "**"
        ? glob2(dir, dirOnly, walk)
        : hasMagic(basename)
          ? glob1(dir, basename, dirOnly)
          : glob0(dir, basename);
    for await (const name of names) yield join(dir, name);
  }
}

/** `glob.glob(pattern, recursive=True)`, sorted (Python's order is the file system's). */
export async function pyGlob(pattern: string): Promise<string[]> {
  const out = new Set<string>();
  for await (const path of iglob(pattern, false, { stack: new Set() })) out.add(path);
  return [...out].sort();
}

/** `os.path.normpath` (POSIX). */
export function pyNormpath(path: string): string {
  if (path === "") return ".";
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

/** The parts of `pathlib.PurePosixPath(path)`: `.` and empty parts dropped, `..` kept. */
export function pathParts(path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return path.startsWith("/") ? ["/", ...parts] : parts;
}

/** `PurePosixPath.relative_to`, lexical: null where Python raises ValueError. */
export function relativeTo(path: string, root: string): string | null {
  const p = pathParts(path);
  const r = pathParts(root);
  if (r.length > p.length || r.some((part, i) => part !== p[i])) return null;
  return p.slice(r.length).join("/");
}
