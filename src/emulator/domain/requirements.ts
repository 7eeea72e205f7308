import { z } from "zod";

export const ConstraintSchema = z.object({
  constraintType: z.enum(["<", "<=", "==", ">=", ">"]),
  version: z.string().min(1),
});

/** One valid requirement line, as a version's `dependencies` entry (API.md §2.6). */
export const DependencySchema = z.object({
  packageName: z.string().min(1),
  line: z.string().min(1),
  lineNumber: z.number().int().min(1),
  constraints: z.array(ConstraintSchema),
});
export type Dependency = z.infer<typeof DependencySchema>;

/** A line left out of `dependencies`; the dependency build fails naming it (API.md §5). */
export const InvalidRequirementSchema = z.object({
  lineNumber: z.number().int().min(1),
  line: z.string(),
  reason: z.string(),
});
export type InvalidRequirement = z.infer<typeof InvalidRequirementSchema>;

export interface ParsedRequirements {
  dependencies: Dependency[];
  invalid: InvalidRequirement[];
}

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;
const SPECIFIER = /^(<=|>=|==|<|>)\s*([A-Za-z0-9][A-Za-z0-9.*+!_-]*)$/;

/** Parses requirements.txt the way the emulator's builds judge it; never throws. */
export function parseRequirements(text: string): ParsedRequirements {
  const dependencies: Dependency[] = [];
  const invalid: InvalidRequirement[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trimEnd();
    // An inline comment needs whitespace before '#' (pip's rule), so URLs with fragments survive.
    const body =
      line
        .replace(/(^|\s)#.*$/, "")
        .split(";")[0]
        ?.trim() ?? "";
    if (body === "") return;
    const reason = invalidReason(body);
    if (typeof reason === "string") {
      invalid.push({ lineNumber, line, reason });
      return;
    }
    dependencies.push({ packageName: reason.name, line, lineNumber, constraints: reason.constraints });
  });
  return { dependencies, invalid };
}

type Parsed = { name: string; constraints: Dependency["constraints"] };

function invalidReason(body: string): string | Parsed {
  if (body.startsWith("-")) return "pip options (-r, -e, --...) are not supported";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(body) || body.includes(" @ ") || /^[./~\\]/.test(body))
    return "URLs and local paths are not supported";
  const m = NAME.exec(body);
  if (!m) return "not a valid package name";
  const name = m[1] ?? "";
  let rest = (m[3] ?? "").trim();
  if (rest.startsWith("(") && rest.endsWith(")")) rest = rest.slice(1, -1).trim();
  const constraints: Dependency["constraints"] = [];
  if (rest === "") return { name, constraints };
  for (const part of rest.split(",")) {
    const spec = part.trim();
    const s = SPECIFIER.exec(spec);
    if (!s) {
      const op = /^(~=|!=|===)/.exec(spec);
      return op
        ? `version operator ${op[1] ?? ""} is not supported (use <, <=, ==, >=, >)`
        : `invalid version specifier "${spec}"`;
    }
    constraints.push({
      constraintType: s[1] as Dependency["constraints"][number]["constraintType"],
      version: s[2] ?? "",
    });
  }
  return { name, constraints };
}
