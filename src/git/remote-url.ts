/**
 * Pure parsing of git remote URLs: the forms git accepts (https, ssh://, scp-like `git@host:path`),
 * credentials stripped so a token embedded by CI never reaches a trailer, a plan file or a log.
 */

export interface ParsedRemote {
  /** Host name without port or user, lower-cased. */
  host: string;
  /** Repository path without leading slash and without `.git`, e.g. `acme/models`. */
  path: string;
}

const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/;

/** Parses a remote URL into host and path; undefined for local paths and unknown forms. */
export function parseRemoteUrl(url: string): ParsedRemote | undefined {
  const trimmed = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return undefined;
    }
    if (!["http:", "https:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(parsed.protocol))
      return undefined;
    const path = cleanPath(decodeURIComponent(parsed.pathname));
    return parsed.hostname && path ? { host: parsed.hostname.toLowerCase(), path } : undefined;
  }
  // Windows drive letters (C:\repo) look scp-like; a one-letter host is never a real remote.
  const scp = SCP_LIKE.exec(trimmed);
  if (scp && scp[1] && scp[2] && scp[1].length > 1) {
    const path = cleanPath(scp[2]);
    return path ? { host: scp[1].toLowerCase(), path } : undefined;
  }
  return undefined;
}

function cleanPath(path: string): string {
  return path
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
}

/** The URL with any user name and password removed (`https://x:TOKEN@host/p` -> `https://host/p`). */
export function stripCredentials(url: string): string {
  const trimmed = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      const parsed = new URL(trimmed);
      // ssh user names (git@) are not secrets but are noise in a trailer; drop them with the rest.
      parsed.username = "";
      parsed.password = "";
      return parsed.toString();
    } catch {
      return trimmed.replace(/\/\/[^/@]*@/, "//");
    }
  }
  const scp = SCP_LIKE.exec(trimmed);
  if (scp && scp[1] && scp[2] && scp[1].length > 1) return `${scp[1]}:${scp[2]}`;
  return trimmed;
}

/**
 * Web URL of a commit for GitHub- and GitLab-style hosts (`/commit/<sha>`, GitLab `/-/commit/<sha>`),
 * derived from https and ssh remotes alike; undefined for local or unrecognised remotes.
 */
export function commitUrlFor(remoteUrl: string, sha: string): string | undefined {
  const remote = parseRemoteUrl(remoteUrl);
  if (!remote) return undefined;
  const separator = remote.host.includes("gitlab") ? "/-/commit/" : "/commit/";
  return `https://${remote.host}/${remote.path}${separator}${sha}`;
}

/**
 * The default namespace of a project: the remote's repository path (`owner/repo`, GitLab subgroups
 * kept), lower-cased so that the key does not change when someone renames `Acme` to `acme`.
 */
export function namespaceFromRemote(remoteUrl: string): string | undefined {
  const remote = parseRemoteUrl(remoteUrl);
  return remote ? remote.path.toLowerCase() : undefined;
}
