import type { CustomModelManifest } from "../../src/kinds/custom-model/schema.js";
import type { DatasetManifest } from "../../src/kinds/dataset/schema.js";
import type { ExecutionEnvironmentManifest } from "../../src/kinds/execution-environment/schema.js";
import { resourcesOf, type LoadedResource, type Project } from "../../src/spec/project.js";

/** The loaded manifests of each kind, typed, for assertions on what the loader produced. */
export const models = (project: Project): LoadedResource<CustomModelManifest>[] =>
  resourcesOf(project, { name: "CustomModel" });
export const environments = (project: Project): LoadedResource<ExecutionEnvironmentManifest>[] =>
  resourcesOf(project, { name: "ExecutionEnvironment" });
export const datasets = (project: Project): LoadedResource<DatasetManifest>[] =>
  resourcesOf(project, { name: "Dataset" });
