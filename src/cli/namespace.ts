import { namespaceOfRepository } from "../git/index.js";
import { findProjectRoot, loadProjectConfig } from "../spec/index.js";

/**
 * The namespace of model keys, the same for every command so `validate` and `plan` agree on keys:
 * --namespace, else the selected profile's, else drgitops.yaml, else the git remote's owner/repo,
 * else (inside loadProject) the folder.
 */
export async function namespaceFor(
  cwd: string,
  flag: string | undefined,
  profileNamespace?: string,
): Promise<string | undefined> {
  if (flag !== undefined) return flag;
  if (profileNamespace !== undefined) return profileNamespace;
  const root = await findProjectRoot(cwd);
  const { config } = await loadProjectConfig(root);
  return config.namespace ?? (await namespaceOfRepository(root));
}
