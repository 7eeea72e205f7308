import { simpleGit, type SimpleGit } from "simple-git";
import { z } from "zod";
import { commitUrlFor, namespaceFromRemote, stripCredentials } from "./remote-url.js";

/** Where the manifests being applied come from; recorded on every version drgitops creates. */
export const Provenance = z.object({
  root: z.string(),
  commitSha: z.string(),
  shortSha: z.string(),
  /** Branch (or CI-provided ref) name; null on a detached HEAD outside CI. */
  refName: z.string().nullable(),
  /** The `origin` remote (else the first remote), credentials stripped; null without remotes. */
  remoteUrl: z.string().nullable(),
  commitUrl: z.string().nullable(),
  /** Uncommitted changes to tracked or untracked files (drgitops' own `.drgitops/` excluded). */
  dirty: z.boolean(),
});
export type Provenance = z.infer<typeof Provenance>;

/** The version/model field of API.md §1.2, built from provenance. */
export const GitModelVersion = z.object({
  refName: z.string().nullable(),
  commitUrl: z.string().nullable(),
  mainBranchCommitSha: z.string().nullable(),
  pullRequestCommitSha: z.string().nullable(),
});
export type GitModelVersion = z.infer<typeof GitModelVersion>;

// CI systems check out a detached HEAD; they name the ref in these variables.
const CI_REF_VARIABLES = ["GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME"];

function gitAt(cwd: string): SimpleGit {
  return simpleGit({ baseDir: cwd, maxConcurrentProcesses: 4 });
}

/** The root of the git work tree containing `cwd`, or undefined outside a repository. */
export async function gitRoot(cwd: string): Promise<string | undefined> {
  try {
    const root = (await gitAt(cwd).revparse(["--show-toplevel"])).trim();
    return root || undefined;
  } catch {
    return undefined;
  }
}

/** The remote drgitops identifies a repository by: `origin`, else the first one listed. */
export async function remoteUrlOf(cwd: string): Promise<string | undefined> {
  try {
    const remotes = await gitAt(cwd).getRemotes(true);
    const remote = remotes.find((r) => r.name === "origin") ?? remotes[0];
    return remote?.refs.fetch || remote?.refs.push || undefined;
  } catch {
    return undefined;
  }
}

/** `owner/repo` of the repository's remote, or undefined outside git or without a remote. */
export async function namespaceOfRepository(cwd: string): Promise<string | undefined> {
  const url = await remoteUrlOf(cwd);
  return url ? namespaceFromRemote(url) : undefined;
}

/**
 * Reads commit, ref, remote and dirtiness of the repository around `cwd`. Returns undefined outside
 * a repository or before its first commit: provenance is optional, never a reason to fail.
 */
export async function readProvenance(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Provenance | undefined> {
  const root = await gitRoot(cwd);
  if (!root) return undefined;
  const git = gitAt(root);
  let commitSha: string;
  try {
    commitSha = (await git.revparse(["--verify", "HEAD"])).trim();
  } catch {
    return undefined;
  }
  const [branch, rawRemote, status] = await Promise.all([
    git.raw(["symbolic-ref", "--quiet", "--short", "HEAD"]).then(
      (s) => s.trim() || undefined,
      () => undefined,
    ),
    remoteUrlOf(root),
    git.raw(["status", "--porcelain", "--", ".", ":(exclude).drgitops"]),
  ]);
  const ciRef = CI_REF_VARIABLES.map((name) => env[name]).find((v) => v !== undefined && v !== "");
  const remoteUrl = rawRemote ? stripCredentials(rawRemote) : null;
  return {
    root,
    commitSha,
    shortSha: commitSha.slice(0, 7),
    refName: branch ?? ciRef ?? null,
    remoteUrl,
    commitUrl: rawRemote ? (commitUrlFor(rawRemote, commitSha) ?? null) : null,
    dirty: status.trim() !== "",
  };
}

/** `gitModelVersion` for a model version: the commit on the main line, with its ref and web URL. */
export function gitModelVersionOf(provenance: Provenance): GitModelVersion {
  return {
    refName: provenance.refName,
    commitUrl: provenance.commitUrl,
    mainBranchCommitSha: provenance.commitSha,
    pullRequestCommitSha: null,
  };
}
