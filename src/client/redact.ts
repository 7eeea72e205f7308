/** Replaces every occurrence of the secrets in a text; all text that leaves the client passes here. */
export type Redactor = (text: string) => string;

export const REDACTED = "[REDACTED]";

export function createRedactor(secrets: readonly string[]): Redactor {
  const set = new SecretSet(secrets);
  return (text) => set.redact(text);
}

/**
 * The secrets a run knows (the API token, then every `sensitive: true` value it reads), redacted from
 * all text that leaves the client: error messages (DataRobot's own included), traces, logs.
 */
export class SecretSet {
  private readonly secrets = new Set<string>();

  constructor(secrets: readonly string[] = []) {
    this.add(...secrets);
  }

  /** Very short "secrets" would shred unrelated text; a 3-character value is still kept out. */
  add(...secrets: readonly string[]): void {
    for (const s of secrets) if (s.length >= 3) this.secrets.add(s);
  }

  readonly redact = (text: string): string => {
    // Longest first, so a secret containing another is replaced whole.
    const ordered = [...this.secrets].sort((a, b) => b.length - a.length);
    return ordered.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
  };
}

/** Truncates for messages: enough to recognise an HTML page or a proxy error, not a wall of text. */
export function truncate(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${flat.length - max} more chars)`;
}
