import { kinds } from "../kinds/index.js";
import type { Issue } from "../spec/issue.js";
import { resourcesOf, type Project } from "../spec/project.js";
import type { DesiredBase, DesiredInputs, DesiredState } from "./state.js";

/**
 * Project (validated manifests) -> DesiredState, kind by kind. Pure: the live state (credentials,
 * environments) and environment variables come in as data; what cannot be resolved becomes an Issue
 * pointing at the manifest, and the caller stops before anything is written.
 */
export function desiredStateFromProject(
  project: Project,
  inputs: Omit<DesiredInputs, "project">,
): { state: DesiredState; issues: Issue[] } {
  const issues: Issue[] = [];
  const resources: Record<string, DesiredBase[]> = {};
  const all = { ...inputs, project };
  for (const kind of kinds) {
    const values: DesiredBase[] = [];
    for (const loaded of resourcesOf(project, kind)) {
      const result = kind.desired(loaded, all);
      issues.push(...result.issues);
      if (result.value !== undefined) values.push(result.value);
    }
    resources[kind.name] = values;
  }
  return { state: { namespace: project.namespace, resources }, issues };
}

/** Every secret value the project's manifests make the run read (to redact from all output). */
export function secretsOf(project: Project, env: Readonly<Record<string, string | undefined>>): string[] {
  return kinds.flatMap((kind) =>
    kind.secrets ? resourcesOf(project, kind).flatMap((loaded) => kind.secrets!(loaded.manifest, env)) : [],
  );
}
