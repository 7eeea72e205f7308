export {
  GitModelVersion,
  Provenance,
  gitModelVersionOf,
  gitRoot,
  namespaceOfRepository,
  readProvenance,
  remoteUrlOf,
} from "./provenance.js";
export { commitUrlFor, namespaceFromRemote, parseRemoteUrl, stripCredentials } from "./remote-url.js";
export { changedSince, ChangedSinceError, type ChangedFiles } from "./changed.js";
