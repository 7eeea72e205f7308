import { z } from "zod";

/** API.md §9.2: secrets are never returned, only this description of the credential. */
export const CredentialSchema = z.object({
  credentialId: z.string().min(1),
  name: z.string(),
  credentialType: z.string(),
  description: z.string().nullish(),
  creationDate: z.string().nullish(),
});
export type Credential = z.infer<typeof CredentialSchema>;
