import { z } from "zod";

/** One problem found in a manifest, always pointing at a file position and a field path. */
export const IssueSchema = z.object({
  /** Stable identifier (e.g. "unknown-field"); scripts and tests match on it, never on the message. */
  code: z.string(),
  severity: z.enum(["error", "warning"]),
  /** Absolute path of the file holding the offending node. */
  file: z.string(),
  /** 1-based. */
  line: z.number().int(),
  /** 1-based. */
  column: z.number().int(),
  kind: z.string().optional(),
  name: z.string().optional(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type Issue = z.infer<typeof IssueSchema>;

/** Something worth saying that is not a problem (e.g. a YAML document of another tool, skipped). */
export const NoteSchema = z.object({
  code: z.string(),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
});
export type Note = z.infer<typeof NoteSchema>;

export type FieldPath = (string | number)[];

/** Issue without its location: schema and rule code produces these, the loader places them. */
export interface PendingIssue {
  code: string;
  path: FieldPath;
  message: string;
  severity?: "error" | "warning";
  /** Point at the mapping key rather than its value (unknown fields, duplicate keys). */
  atKey?: boolean;
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === "error");
}
