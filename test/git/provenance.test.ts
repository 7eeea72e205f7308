import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitModelVersionOf, gitRoot, namespaceOfRepository, readProvenance } from "../../src/git/index.js";

let dir: string;

function git(...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

async function commitFile(name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  git("add", name);
  git("commit", "-q", "-m", `add ${name}`);
  return git("rev-parse", "HEAD");
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-git-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readProvenance", () => {
  it("returns undefined outside a repository and before the first commit", async () => {
    expect(await readProvenance(dir)).toBeUndefined();
    expect(await gitRoot(dir)).toBeUndefined();
    git("init", "-q");
    expect(await readProvenance(dir)).toBeUndefined();
  });

  it("reads commit, branch, remote without credentials and a commit URL", async () => {
    git("init", "-q", "-b", "main");
    git("remote", "add", "origin", "https://ci:ghp_SECRET@github.com/Acme/Models.git");
    const sha = await commitFile("a.txt", "one");
    await mkdir(join(dir, "sub"));
    const p = await readProvenance(join(dir, "sub"));
    expect(p).toMatchObject({
      commitSha: sha,
      shortSha: sha.slice(0, 7),
      refName: "main",
      remoteUrl: "https://github.com/Acme/Models.git",
      commitUrl: `https://github.com/Acme/Models/commit/${sha}`,
      dirty: false,
    });
    expect(JSON.stringify(p)).not.toContain("SECRET");
    expect(await namespaceOfRepository(dir)).toBe("acme/models");
    expect(gitModelVersionOf(p!)).toEqual({
      refName: "main",
      commitUrl: `https://github.com/Acme/Models/commit/${sha}`,
      mainBranchCommitSha: sha,
      pullRequestCommitSha: null,
    });
  });

  it("reports dirty work trees but ignores drgitops' own state folder", async () => {
    git("init", "-q", "-b", "main");
    await commitFile("a.txt", "one");
    await mkdir(join(dir, ".drgitops", "emulator"), { recursive: true });
    await writeFile(join(dir, ".drgitops", "emulator", "db.sqlite"), "x");
    expect((await readProvenance(dir))?.dirty).toBe(false);
    await writeFile(join(dir, "a.txt"), "two");
    expect((await readProvenance(dir))?.dirty).toBe(true);
  });

  it("takes the ref from CI variables on a detached HEAD and prefers origin over other remotes", async () => {
    git("init", "-q", "-b", "main");
    git("remote", "add", "backup", "git@gitlab.com:other/mirror.git");
    git("remote", "add", "origin", "git@github.com:acme/models.git");
    const sha = await commitFile("a.txt", "one");
    git("checkout", "-q", "--detach");
    expect((await readProvenance(dir, {}))?.refName).toBeNull();
    const p = await readProvenance(dir, { GITHUB_REF_NAME: "release/1" });
    expect(p?.refName).toBe("release/1");
    expect(p?.remoteUrl).toBe("github.com:acme/models.git");
    expect(p?.commitUrl).toBe(`https://github.com/acme/models/commit/${sha}`);
  });

  it("has no remote URL or commit URL for a repository without remotes", async () => {
    git("init", "-q", "-b", "main");
    await commitFile("a.txt", "one");
    const p = await readProvenance(dir);
    expect(p?.remoteUrl).toBeNull();
    expect(p?.commitUrl).toBeNull();
    expect(await namespaceOfRepository(dir)).toBeUndefined();
  });
});
