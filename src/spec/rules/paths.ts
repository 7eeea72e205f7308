import type { FieldPath } from "../issue.js";
import type { PathFact, Rule } from "./context.js";
import { isInvalid, reporter } from "./context.js";

/** The message for a path that is unusable, or undefined when the path is fine. */
export function pathProblem(fact: PathFact, what: string): { code: string; message: string } | undefined {
  switch (fact.problem) {
    case undefined:
      return undefined;
    case "absolute":
      return {
        code: "path-escapes-root",
        message: `${what} "${fact.written}" is absolute; use a path relative to the manifest's folder, inside the project`,
      };
    case "escapes":
      return {
        code: "path-escapes-root",
        message: `${what} "${fact.written}" leaves the project root${fact.root ? ` (${fact.root})` : ""}; everything a manifest uses must be inside the repository (the root is the nearest folder with .git above the working directory)`,
      };
    case "symlink-escapes":
      return {
        code: "path-escapes-root",
        message: `${what} "${fact.written}" is a symlink to a place outside the project root; refusing to follow it`,
      };
    case "missing":
      return { code: "", message: `${what} "${fact.written}" does not exist (resolved to ${fact.abs})` };
    case "not-directory":
      return { code: "", message: `${what} "${fact.written}" is a file, not a folder` };
    case "not-file":
      return { code: "", message: `${what} "${fact.written}" is a folder, not a file` };
  }
  return undefined;
}

/** Model sources, docker contexts, dataset files and class-label files must exist inside the root. */
export const pathRules: Rule = (ctx) => {
  for (const model of ctx.models) {
    const report = reporter(ctx, model);
    const { source, fileCount, escapingLinks, classLabelsFile } = model.facts;
    // Without a source fact spec.source was invalid (reported by the schema): no folder to judge.
    if (source) {
      const sourcePath: FieldPath = ["spec", "source", "path"];
      const problem = pathProblem(source, "source folder");
      if (problem) {
        const code =
          problem.code || (source.problem === "not-directory" ? "source-not-directory" : "source-missing");
        report({ code, path: sourcePath, message: problem.message });
      } else if (fileCount === 0) {
        const filtered = model.manifest.spec.source?.include || model.manifest.spec.source?.exclude;
        report({
          code: "source-empty",
          path: sourcePath,
          message: `source folder "${source.written}" has no files${filtered ? " after include/exclude" : ""}; a version needs at least its code`,
        });
      }
      for (const link of escapingLinks) {
        report({
          code: "path-escapes-root",
          path: sourcePath,
          message: `"${link}" in source folder "${source.written}" is a symlink leaving the project root; copy the file in instead`,
        });
      }
    }
    if (classLabelsFile) {
      const fileProblem = pathProblem(classLabelsFile, "class labels file");
      if (fileProblem) {
        report({
          code: fileProblem.code || "class-labels-file-missing",
          path: ["spec", "classLabelsFile"],
          message: fileProblem.message,
        });
      }
    }
  }

  for (const env of ctx.environments) {
    const report = reporter(ctx, env);
    const path: FieldPath = ["spec", "dockerContext"];
    const { context } = env.facts;
    if (context === undefined) continue; // spec.dockerContext is invalid: reported by the schema
    const problem = pathProblem(context, "docker context");
    if (problem) {
      report({ code: problem.code || "docker-context-missing", path, message: problem.message });
    } else if (!env.facts.hasDockerfile) {
      report({
        code: "dockerfile-missing",
        path,
        message: `docker context "${context.written}" has no Dockerfile at its root; the environment build would fail`,
      });
    }
  }

  for (const dataset of ctx.datasets) {
    const report = reporter(ctx, dataset);
    const spec = dataset.manifest.spec;
    const judged = !isInvalid(dataset, ["spec", "file"]) && !isInvalid(dataset, ["spec", "id"]);
    if (judged && (spec.file === undefined) === (spec.id === undefined)) {
      report({
        code: "dataset-source",
        path: spec.file === undefined ? ["spec"] : ["spec", "id"],
        message:
          "a Dataset needs exactly one of spec.file (a local file to upload) or spec.id (an existing catalog dataset)",
      });
    }
    const file = dataset.facts.file;
    const problem = file && pathProblem(file, "dataset file");
    if (problem) {
      report({
        code: problem.code || "dataset-file-missing",
        path: ["spec", "file"],
        message: problem.message,
      });
    }
  }
};
