/** How GitHub and GitLab read what drgitops writes for them, for tests of that output. */
import { z } from "zod";

/** The runner's decoding (actions/runner ActionCommand): each escape back to its character, `%` last. */
export function unescape(text: string, property: boolean): string {
  const mappings: [string, string][] = [
    ["%0D", "\r"],
    ["%0A", "\n"],
    ...(property
      ? ([
          ["%3A", ":"],
          ["%2C", ","],
        ] as [string, string][])
      : []),
    ["%25", "%"],
  ];
  return mappings.reduce((acc, [escaped, raw]) => acc.replaceAll(escaped, raw), text);
}

/** Parses `::name k=v,k2=v2::message` the way the runner does: split on `,` then on the first `=`. */
export function parseCommand(line: string): {
  name: string;
  properties: Record<string, string>;
  message: string;
} {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (match === null) throw new Error(`not a workflow command: ${line}`);
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? "").split(",").filter((p) => p !== "")) {
    const at = pair.indexOf("=");
    properties[pair.slice(0, at)] = unescape(pair.slice(at + 1), true);
  }
  return { name: match[1]!, properties, message: unescape(match[3]!, false) };
}

/**
 * What GitLab reads from a code-quality report (docs.gitlab.com/ci/testing/code_quality, "Code
 * Quality report format"): a JSON array; per entry description, check_name, fingerprint, severity
 * (info | minor | major | critical | blocker), location.path (relative, no leading ./) and
 * location.lines.begin (or location.positions.begin.line).
 */
export const GitLabCodeQualitySchema = z.array(
  z.object({
    description: z.string().min(1),
    check_name: z.string().min(1),
    fingerprint: z.string().min(1),
    severity: z.enum(["info", "minor", "major", "critical", "blocker"]),
    location: z.object({
      path: z
        .string()
        .min(1)
        .refine(
          (p) => !p.startsWith("./") && !p.startsWith("/") && !p.includes("\\"),
          "a relative POSIX path",
        ),
      lines: z.object({ begin: z.number().int().positive() }),
    }),
  }),
);
