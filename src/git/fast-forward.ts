import { join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { DrgitopsError } from "../errors.js";

/** What one pull did: nothing new, local commits only, or a fast-forward (with the files it touched). */
export type PullResult =
  | { status: "up-to-date"; commit: string }
  | { status: "ahead"; commit: string }
  | { status: "pulled"; from: string; to: string; files: string[] };

/** A pull that would need more than a fast-forward: drgitops never resets, merges or rebases. */
export class PullRefusedError extends DrgitopsError {
  constructor(message: string) {
    super("git-pull-refused", message);
  }
}

/** `https://user:token@host` in git's messages becomes `https://host`. */
function redactUrls(message: string): string {
  return message.replace(/(\w+:\/\/)[^/@\s]*@/g, "$1");
}

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DrgitopsError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DrgitopsError("git-failed", `git ${what} failed: ${redactUrls(reason).trim()}`, {
      cause: error,
    });
  }
}

/** True when commit `a` is an ancestor of (or equal to) `b`. */
async function isAncestor(git: SimpleGit, a: string, b: string): Promise<boolean> {
  // Not `merge-base --is-ancestor`: simple-git resolves a non-zero exit that prints nothing.
  const base = await git.raw(["merge-base", a, b]).catch(() => "");
  return base.trim() === a;
}

/**
 * GitOps pull mode (`watch --git-pull`): `git fetch` of the current branch's upstream, then a
 * fast-forward to it. A detached HEAD, a branch without upstream, tracked changes in the work
 * tree or a branch that has diverged are refused with an error, and the work tree is left as it was.
 */
export async function fastForward(root: string, signal?: AbortSignal): Promise<PullResult> {
  const git = simpleGit({ baseDir: root, maxConcurrentProcesses: 2, ...(signal ? { abort: signal } : {}) });
  const branch = await git.raw(["symbolic-ref", "--quiet", "--short", "HEAD"]).then(
    (s) => s.trim(),
    () => "",
  );
  if (branch === "") throw new PullRefusedError("git pull: HEAD is detached; check out a branch to follow");
  const upstream = await git.raw(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"]).then(
    (s) => s.trim(),
    () => "",
  );
  if (upstream === "")
    throw new PullRefusedError(
      `git pull: branch ${branch} has no upstream; set one with \`git branch --set-upstream-to\``,
    );
  const remote = (await git.raw(["config", "--get", `branch.${branch}.remote`]).catch(() => "")).trim();
  await step("fetch", () => git.fetch(remote === "" ? [] : [remote]));
  const [local, target] = await Promise.all([
    step("rev-parse", () => git.revparse(["HEAD"])),
    step("rev-parse", () => git.revparse(["@{u}"])),
  ]).then((shas) => shas.map((s) => s.trim()));
  if (local === undefined || target === undefined) throw new Error("internal error: rev-parse gave nothing");
  if (local === target) return { status: "up-to-date", commit: local };
  if (!(await isAncestor(git, local, target))) {
    if (await isAncestor(git, target, local)) return { status: "ahead", commit: local };
    throw new PullRefusedError(
      `git pull: ${branch} and ${upstream} have diverged; reconcile them by hand (drgitops only fast-forwards)`,
    );
  }
  const dirty = (
    await step("status", () => git.raw(["status", "--porcelain", "--untracked-files=no"]))
  ).trim();
  if (dirty !== "")
    throw new PullRefusedError(
      `git pull: the work tree of ${branch} has uncommitted changes; commit or stash them to follow ${upstream}`,
    );
  await step("merge --ff-only", () => git.raw(["merge", "--ff-only", target]));
  // --no-renames: a moved file is both its old path (gone) and its new one, not the new one alone.
  const changed = await step("diff", () =>
    git.raw(["diff", "--name-only", "--no-renames", "-z", local, target]),
  );
  const files = changed
    .split("\0")
    .filter((f) => f !== "")
    .map((f) => join(root, f));
  return { status: "pulled", from: local, to: target, files };
}
