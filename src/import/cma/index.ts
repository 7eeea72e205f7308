/** `drgitops import --from-cma`: custom-models-action definitions in, drgitops manifests out. */
export { convertCmaRepository } from "./convert.js";
export type {
  ConversionFile,
  ConversionResult,
  ConvertedModel,
  ConvertOptions,
  ReportItem,
} from "./convert.js";
export { writeConversion } from "./write.js";
export { readCmaRepository } from "./read.js";
export type {
  CmaDeploymentDefinition,
  CmaModelDefinition,
  CmaProblem,
  CmaRepository,
  CmaWorkflowStep,
} from "./read.js";
export { cmaModelFiles } from "./model-files.js";
export type { CmaFile, CmaFileSelection } from "./model-files.js";
export { cmaNamespace, cmaUserProvidedId } from "./namespace.js";
export {
  CmaDeploymentSchema,
  CmaModelSchema,
  CmaMultiDeploymentsSchema,
  CmaMultiModelsSchema,
  CMA_TARGET_TYPES,
} from "./schema.js";
export type { CmaDeployment, CmaModel, CmaTargetType } from "./schema.js";
