import type { LoadResult } from "../../src/spec/index.js";

/** Everything a load produced that later layers read, positions included (to compare two loads). */
export function observable(result: LoadResult): unknown {
  return {
    ok: result.ok,
    issues: result.issues,
    notes: result.notes,
    resources: result.project.resources.map((r) => ({
      key: r.key,
      kind: r.kind,
      manifest: r.manifest,
      file: r.file,
      line: r.line,
      documentIndex: r.documentIndex,
      spec: r.locate(["spec"]),
      deep: r.locate(["spec", "source", "path"]),
      paths: Object.fromEntries(
        Object.entries(r.paths).map(([role, p]) => [
          role,
          { ...p, metadata: p.metadata && { file: p.metadata.file, parsed: p.metadata.parsed } },
        ]),
      ),
    })),
  };
}
