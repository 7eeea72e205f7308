/** Replaces every occurrence of the secrets in a text; all text that leaves the client passes here. */
export type Redactor = (text: string) => string;

export const REDACTED = "[REDACTED]";

export function createRedactor(secrets: readonly string[]): Redactor {
  // Very short "secrets" would shred unrelated text; real tokens are long.
  const active = secrets.filter((s) => s.length >= 4);
  if (active.length === 0) return (text) => text;
  return (text) => active.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
}

/** Truncates for messages: enough to recognise an HTML page or a proxy error, not a wall of text. */
export function truncate(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${flat.length - max} more chars)`;
}
