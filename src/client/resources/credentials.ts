import type { ResourceContext } from "../context.js";
import { seg } from "../context.js";
import { DrgitopsError } from "../../errors.js";
import { fetchPage, paginate } from "../paginate.js";
import type { Page } from "../wire/common.js";
import { CredentialSchema, type Credential } from "../wire/credential.js";

/** API.md §9: credentials (read-only here; secrets are never returned by the API). */
export function credentials(ctx: ResourceContext) {
  const { http } = ctx;
  const self = {
    async listPage(
      query: { offset?: number; limit?: number } = {},
      signal?: AbortSignal,
    ): Promise<Page<Credential>> {
      return await fetchPage(http, "credentials/", query, CredentialSchema, signal);
    },
    async *listAll(signal?: AbortSignal): AsyncGenerator<Credential, void, undefined> {
      yield* paginate(http, "credentials/", undefined, CredentialSchema, signal);
    },
    async get(id: string, signal?: AbortSignal): Promise<Credential> {
      return await http.json({ method: "GET", path: `credentials/${seg(id)}/`, signal }, CredentialSchema);
    },
    /**
     * API.md §9.2 client rule: list all and match the name exactly; none or several is an error,
     * because uniqueness of names is not guaranteed on the real platform.
     */
    async findByName(name: string, signal?: AbortSignal): Promise<Credential> {
      const matches: Credential[] = [];
      for await (const credential of self.listAll(signal))
        if (credential.name === name) matches.push(credential);
      const [only] = matches;
      if (only !== undefined && matches.length === 1) return only;
      if (matches.length === 0) {
        throw new DrgitopsError(
          "credential-not-found",
          `No DataRobot credential is named "${name}" (names match exactly, case included); create it or fix the name`,
        );
      }
      throw new DrgitopsError(
        "credential-ambiguous",
        `${matches.length} DataRobot credentials are named "${name}" (ids ${matches.map((c) => c.credentialId).join(", ")}); rename all but one`,
      );
    },
  };
  return self;
}
