import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fastForward } from "../../src/git/fast-forward.js";
import { git } from "../e2e/harness.js";

const cleanups: string[] = [];
afterEach(async () => {
  for (const dir of cleanups.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "drgitops-ff-"));
  cleanups.push(dir);
  return dir;
}

/** A bare remote, a work tree following it (`repo`) and another clone that pushes to it. */
async function repos(): Promise<{ repo: string; other: string }> {
  const [bare, repo, other] = [await temp(), await temp(), await temp()];
  await git(bare, "init", "-q", "--bare", "-b", "main");
  await git(repo, "clone", "-q", bare, ".");
  await writeFile(join(repo, "a.txt"), "a\n");
  await git(repo, "add", ".");
  await git(repo, "commit", "-q", "-m", "first");
  await git(repo, "push", "-q", "-u", "origin", "main");
  await git(other, "clone", "-q", bare, ".");
  return { repo, other };
}

async function commit(dir: string, file: string, text: string): Promise<string> {
  await writeFile(join(dir, file), text);
  await git(dir, "add", ".");
  await git(dir, "commit", "-q", "-m", text.trim());
  return git(dir, "rev-parse", "HEAD");
}

describe("fastForward (watch --git-pull)", () => {
  it("fetches and fast-forwards to a new upstream commit, listing the files it changed", async () => {
    const { repo, other } = await repos();
    expect(await fastForward(repo)).toMatchObject({ status: "up-to-date" });
    const to = await commit(other, "b.txt", "b\n");
    await git(other, "push", "-q");
    expect(await fastForward(repo)).toEqual({
      status: "pulled",
      from: expect.any(String) as unknown,
      to,
      files: [join(repo, "b.txt")],
    });
    expect(await readFile(join(repo, "b.txt"), "utf8")).toBe("b\n");
  });

  it("lists a moved file under its old path and its new one", async () => {
    const { repo, other } = await repos();
    await git(other, "mv", "a.txt", "moved.txt");
    await git(other, "commit", "-q", "-m", "move");
    await git(other, "push", "-q");
    const pulled = await fastForward(repo);
    expect(pulled.status === "pulled" ? [...pulled.files].sort() : pulled).toEqual([
      join(repo, "a.txt"),
      join(repo, "moved.txt"),
    ]);
  });

  it("leaves local commits alone when only the local side moved", async () => {
    const { repo } = await repos();
    const local = await commit(repo, "c.txt", "c\n");
    expect(await fastForward(repo)).toEqual({ status: "ahead", commit: local });
  });

  it("refuses a diverged branch and a dirty work tree, and changes nothing", async () => {
    const { repo, other } = await repos();
    await commit(other, "b.txt", "b\n");
    await git(other, "push", "-q");
    await writeFile(join(repo, "a.txt"), "edited, not committed\n");
    await expect(fastForward(repo)).rejects.toThrow(/uncommitted changes/);
    expect(await readFile(join(repo, "a.txt"), "utf8")).toBe("edited, not committed\n");
    await git(repo, "checkout", "-q", "--", "a.txt");
    const local = await commit(repo, "c.txt", "c\n");
    await expect(fastForward(repo)).rejects.toThrow(/main and origin\/main have diverged/);
    expect(await git(repo, "rev-parse", "HEAD")).toBe(local);
  });

  it("refuses a branch without upstream and a detached HEAD", async () => {
    const dir = await temp();
    await git(dir, "init", "-q", "-b", "main");
    await commit(dir, "a.txt", "a\n");
    await expect(fastForward(dir)).rejects.toThrow(/has no upstream/);
    await git(dir, "checkout", "-q", "--detach");
    await expect(fastForward(dir)).rejects.toThrow(/HEAD is detached/);
  });
});
