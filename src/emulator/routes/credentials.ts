import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import type { z } from "zod";
import { CREDENTIAL_TYPES, CredentialCreateSchema, credentialKeys } from "../domain/credential-types.js";
import { conflict, HttpError, invalid, notFound, type FieldErrors } from "../http/errors.js";
import { page, pageParams } from "../http/pagination.js";
import { jsonBody, parseString } from "../http/values.js";
import type { CredentialRecord } from "../store/credentials.js";
import {
  deleteCredentialRecord,
  findCredentialByName,
  getCredentialRecord,
  insertCredentialRecord,
  listCredentialRecords,
  updateCredentialRecord,
} from "../store/credentials.js";

const NON_SECRET_KEYS = new Set(["name", "credentialType", "description"]);

/** The Credential object (API.md §9.2): secrets are never part of it. */
export function credentialView(c: CredentialRecord): Record<string, unknown> {
  return {
    credentialId: c.id,
    name: c.name,
    credentialType: c.credentialType,
    description: c.description,
    creationDate: c.created,
  };
}

function secretsOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !NON_SECRET_KEYS.has(k)));
}

/** Field errors of a create body that CredentialCreateSchema refused, one reason per field. */
function createErrors(body: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const type = body["credentialType"];
  const errors: FieldErrors = {};
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = credentialKeys(type).join(", ");
      for (const key of issue.keys)
        errors[key] = `${key} is not a field of credentialType ${String(type)} (fields: ${known})`;
      continue;
    }
    const field = issue.path.join(".") || "body";
    if (field === "credentialType")
      errors[field] =
        type === undefined || type === null || type === ""
          ? "credentialType is required"
          : `credentialType must be one of ${CREDENTIAL_TYPES.join(", ")}`;
    else if (issue.path.length === 1 && (body[field] === undefined || body[field] === ""))
      errors[field] =
        field === "name" ? "name is required" : `${field} is required for credentialType ${String(type)}`;
    else errors[field] = `${field}: ${issue.message}`;
  }
  return errors;
}

/** Creates a credential; shared by the route and the seed file. Throws 409/422. */
export function createCredential(ctx: EmulatorContext, body: Record<string, unknown>): CredentialRecord {
  const parsed = CredentialCreateSchema.safeParse(body);
  if (!parsed.success) {
    const errors = createErrors(body, parsed.error.issues);
    throw new HttpError(422, Object.values(errors)[0] ?? "Invalid credential", errors);
  }
  const { name, credentialType } = parsed.data;
  const description = parsed.data.description ?? "";
  if (findCredentialByName(ctx.db, name)) throw conflict(`Credential with name '${name}' already exists`);
  const record: CredentialRecord = { id: ctx.newId(), name, credentialType, description, created: ctx.now() };
  insertCredentialRecord(ctx.db, record, secretsOf(body));
  return record;
}

export function registerCredentialRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const find = (cid: string): CredentialRecord => {
    const c = getCredentialRecord(ctx.db, cid);
    if (!c) throw notFound(`Credential ${cid} not found`);
    return c;
  };

  app.get("/credentials/", (req) => {
    const params = pageParams(req);
    const { records, total } = listCredentialRecords(ctx.db, params);
    return page(req, ctx.baseUrl(req), params, records.map(credentialView), total);
  });

  app.post("/credentials/", (req, reply) => {
    const created = ctx.tx(() => createCredential(ctx, jsonBody(req.body)));
    return reply.code(201).send(credentialView(created));
  });

  app.get<{ Params: { cid: string } }>("/credentials/:cid/", (req) => credentialView(find(req.params.cid)));

  app.patch<{ Params: { cid: string } }>("/credentials/:cid/", (req) =>
    ctx.tx(() => {
      const current = find(req.params.cid);
      const body = jsonBody(req.body);
      const name = parseString(body["name"], "name");
      if (name === "") throw invalid("name", "name must not be empty");
      if (name && name !== current.name && findCredentialByName(ctx.db, name))
        throw conflict(`Credential with name '${name}' already exists`);
      const description = parseString(body["description"], "description");
      const next: CredentialRecord = {
        ...current,
        name: name ?? current.name,
        description: description === undefined ? current.description : (description ?? ""),
      };
      updateCredentialRecord(ctx.db, next, secretsOf(body));
      return credentialView(next);
    }),
  );

  app.delete<{ Params: { cid: string } }>("/credentials/:cid/", (req, reply) => {
    if (!ctx.tx(() => deleteCredentialRecord(ctx.db, req.params.cid)))
      throw notFound(`Credential ${req.params.cid} not found`);
    return reply.code(204).send();
  });
}
