import { simpleGit, type SimpleGit } from "simple-git";
import { DrgitopsError } from "../errors.js";

/** What changed in a repository since a ref (`--changed-since`), as paths from the repository root. */
export interface ChangedFiles {
  /** The ref as given. */
  ref: string;
  /** The commit diffs start from: the merge base of the ref and HEAD (what a pull request shows). */
  base: string;
  /** The git work tree's root (absolute, as git reports it). */
  root: string;
  /** Files changed by the commits since `base`, POSIX paths from the root (a deleted file's path too). */
  committed: string[];
  /** Files changed but not committed: modified, staged, deleted and untracked ones. */
  uncommitted: string[];
}

/** `--changed-since` cannot be honoured: an unknown ref, a shallow clone, no repository. Exit 1. */
export class ChangedSinceError extends DrgitopsError {
  constructor(message: string) {
    super("changed-since", message);
  }
}

const SHALLOW_HINT =
  "fetch the history it needs: with actions/checkout set `fetch-depth: 0`, in GitLab set `GIT_DEPTH: 0`, " +
  "or run `git fetch --unshallow` (or `git fetch origin <ref>`) before drgitops";

async function isShallow(git: SimpleGit): Promise<boolean> {
  const answer = await git.raw(["rev-parse", "--is-shallow-repository"]).catch(() => "false");
  return answer.trim() === "true";
}

async function attempt(run: () => Promise<string>): Promise<string | undefined> {
  try {
    return (await run()).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** NUL-separated output (`-z`), without the empty last entry. */
function entries(output: string): string[] {
  return output.split("\0").filter((e) => e !== "");
}

/** Paths of `git status --porcelain=v1 -z --no-renames`: `XY path` entries. */
function statusPaths(output: string): string[] {
  return entries(output).map((e) => e.slice(3));
}

/** drgitops' own caches are never a change. */
const OWN = /^\.drgitops(\/|$)/;

/**
 * The files that changed since `ref` in the repository around `cwd`: the commits since the merge
 * base of `ref` and HEAD (`git diff REF...HEAD`), plus what is uncommitted (tracked changes and
 * untracked files). Throws a ChangedSinceError that says what to do when `ref` is unknown, when a
 * shallow clone lacks it, or outside a repository.
 */
export async function changedSince(cwd: string, ref: string): Promise<ChangedFiles> {
  const where = `--changed-since ${ref}`;
  if (ref.trim() === "" || ref.startsWith("-"))
    throw new ChangedSinceError(`${where}: not a git ref; give a branch, tag or commit (e.g. origin/main)`);
  const root = await attempt(() => simpleGit({ baseDir: cwd }).revparse(["--show-toplevel"]));
  if (root === undefined)
    throw new ChangedSinceError(`${where}: ${cwd} is not inside a git repository; drop --changed-since`);
  const git = simpleGit({ baseDir: root, maxConcurrentProcesses: 4 });
  const commit = await attempt(() =>
    git.raw(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]),
  );
  if (commit === undefined) {
    if (await isShallow(git))
      throw new ChangedSinceError(`${where}: ${ref} is not in this clone, which is shallow; ${SHALLOW_HINT}`);
    throw new ChangedSinceError(
      `${where}: ${ref} is not a branch, tag or commit of this repository; check the name, or fetch it (git fetch origin ${ref})`,
    );
  }
  const head = await attempt(() => git.raw(["rev-parse", "--verify", "--quiet", "HEAD"]));
  if (head === undefined) throw new ChangedSinceError(`${where}: the repository has no commit yet`);
  const base = await attempt(() => git.raw(["merge-base", commit, head]));
  if (base === undefined) {
    if (await isShallow(git))
      throw new ChangedSinceError(
        `${where}: the history between ${ref} and HEAD is not in this clone, which is shallow; ${SHALLOW_HINT}`,
      );
    throw new ChangedSinceError(
      `${where}: ${ref} and HEAD share no history; give a ref of the same branch line`,
    );
  }
  const [diff, status] = await Promise.all([
    git.raw(["diff", "--name-only", "--no-renames", "-z", base, head, "--"]),
    git.raw(["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all"]),
  ]);
  const own = (p: string): boolean => !OWN.test(p);
  return {
    ref,
    base,
    root,
    committed: entries(diff).filter(own),
    uncommitted: statusPaths(status).filter(own),
  };
}
