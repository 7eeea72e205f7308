import { describe, expect, it } from "vitest";
import { commitUrlFor, namespaceFromRemote, parseRemoteUrl, stripCredentials } from "../../src/git/index.js";

const SHA = "3f2a9c1d0e4b5a6978877665544332211aabbccd";

describe("remote URLs", () => {
  it.each([
    ["https://github.com/Acme/Models.git", "acme/models"],
    ["https://x-access-token:ghs_SECRET@github.com/acme/models", "acme/models"],
    ["git@github.com:acme/models.git", "acme/models"],
    ["ssh://git@gitlab.example.com:2222/group/sub/repo.git", "group/sub/repo"],
    ["git+ssh://git@github.com/acme/models.git/", "acme/models"],
  ])("takes the namespace of %s from its path", (url, namespace) => {
    expect(namespaceFromRemote(url)).toBe(namespace);
  });

  it.each(["/srv/git/models.git", "../models", "C:\\repos\\models", "file:///srv/models.git", ""])(
    "has no namespace for the local remote %j",
    (url) => {
      expect(parseRemoteUrl(url)).toBeUndefined();
      expect(namespaceFromRemote(url)).toBeUndefined();
    },
  );

  it("strips user and password from https remotes so tokens never reach a trailer", () => {
    const stripped = stripCredentials("https://oauth2:glpat-SECRET@gitlab.com/acme/models.git");
    expect(stripped).toBe("https://gitlab.com/acme/models.git");
    expect(stripped).not.toContain("SECRET");
    expect(stripCredentials("git@github.com:acme/models.git")).toBe("github.com:acme/models.git");
  });

  it("builds GitHub and GitLab commit URLs from https and ssh remotes", () => {
    expect(commitUrlFor("git@github.com:acme/models.git", SHA)).toBe(
      `https://github.com/acme/models/commit/${SHA}`,
    );
    expect(commitUrlFor("https://tok:SECRET@gitlab.com/grp/sub/models.git", SHA)).toBe(
      `https://gitlab.com/grp/sub/models/-/commit/${SHA}`,
    );
    expect(commitUrlFor("/srv/git/models.git", SHA)).toBeUndefined();
  });
});
