import type { ResourceContext } from "../context.js";
import { checkInput, seg } from "../context.js";
import { ApiError, isNotFound } from "../errors.js";
import { fetchPage, paginate } from "../paginate.js";
import { poll, runJob, startJob, type WaitOptions } from "../waiters.js";
import { pageSchema, type Page } from "../wire/common.js";
import {
  ChallengerSchema,
  CreateChallengerSchema,
  CreateDeploymentSchema,
  DeploymentCreatedSchema,
  DeploymentSchema,
  DeploymentSettingsSchema,
  DeploymentStatusInputSchema,
  ListDeploymentsQuerySchema,
  ModelChoiceSchema,
  ReplacementReasonSchema,
  ReplacementValidationSchema,
  UpdateDeploymentSchema,
  UpdateSettingsSchema,
  type Challenger,
  type CreateChallengerInput,
  type CreateDeploymentInput,
  type Deployment,
  type DeploymentSettings,
  type ListDeploymentsQuery,
  type ModelChoice,
  type ReplacementReason,
  type ReplacementValidation,
  type UpdateDeploymentInput,
  type UpdateSettingsInput,
} from "../wire/deployment.js";

/** API.md §13.5: the substring the server uses for a duplicate deployment userProvidedId. */
const DUPLICATE_USER_PROVIDED_ID = "Cannot create a deployment with a user provided ID";

/**
 * API.md §13.10 client rule: a 409 on deleting a custom model, registered model or prediction
 * environment means "still deployed"; retry only after the deployments are gone. The messages are
 * uncertain on the real platform (§13.15), so the status or TF's substring decides.
 */
export function isStillDeployed(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    (error.status === 409 || /existing deployments/i.test(error.apiMessage ?? ""))
  );
}

export interface CreatedDeployment {
  deployment: Deployment;
  /** True when a deployment with this userProvidedId already existed and was returned instead. */
  existed: boolean;
}

/** API.md §13.5-§13.9: deployments, their model, settings, status and challengers. */
export function deployments(ctx: ResourceContext) {
  const { http } = ctx;
  const path = (id: string) => `deployments/${seg(id)}/`;
  const listQuery = (query: ListDeploymentsQuery = {}) =>
    checkInput(ListDeploymentsQuerySchema, query, "deployment list query");
  const modelChoice = (choice: ModelChoice) => checkInput(ModelChoiceSchema, choice, "model choice");

  /** Polls GET until `done(deployment)` (TF waits for `active` and for the new package this way). */
  const waitFor = async (
    id: string,
    what: string,
    first: Deployment,
    done: (d: Deployment) => boolean,
    wait: WaitOptions,
  ): Promise<Deployment> => {
    if (done(first)) return first;
    return await poll(
      `deployment ${id} ${what}`,
      async () => {
        const d = await self.get(id, wait.signal);
        return done(d) ? { done: true, value: d } : { done: false, state: d.status ?? "unknown" };
      },
      wait,
      ctx.poll,
      ctx.sleep,
    );
  };

  const self = {
    /**
     * POST fromModelPackage/ (202), waits for the creation job and then for the deployment to leave
     * `launching`. Idempotent with a `userProvidedId`: on the duplicate 422 the existing deployment
     * is returned with `existed: true`. A creation that fails throws "job-failed" with the reason.
     */
    async create(input: CreateDeploymentInput, wait: WaitOptions = {}): Promise<CreatedDeployment> {
      const body = checkInput(CreateDeploymentSchema, input, "deployment");
      let deployment: Deployment;
      let existed = false;
      try {
        deployment = await runJob(
          ctx,
          {
            method: "POST",
            path: "deployments/fromModelPackage/",
            json: body,
            // A repeat is refused as a duplicate userProvidedId, which is answered below.
            idempotent: body.userProvidedId !== undefined,
          },
          wait,
          DeploymentSchema,
          (response) => self.get(http.parse("POST", response, DeploymentCreatedSchema).id, wait.signal),
        );
      } catch (error) {
        const upid = body.userProvidedId;
        const duplicate =
          error instanceof ApiError &&
          error.status === 422 &&
          (error.apiMessage ?? "").includes(DUPLICATE_USER_PROVIDED_ID);
        if (!duplicate || upid === undefined) throw error;
        const found = await self.findByUserProvidedId(upid, wait.signal);
        if (found === undefined) throw error;
        deployment = found;
        existed = true;
      }
      const settled = await waitFor(
        deployment.id,
        "to launch",
        deployment,
        (d) => d.status !== "launching",
        wait,
      );
      return { deployment: settled, existed };
    },
    async get(id: string, signal?: AbortSignal): Promise<Deployment> {
      return await http.json({ method: "GET", path: path(id), signal }, DeploymentSchema);
    },
    async listPage(query?: ListDeploymentsQuery, signal?: AbortSignal): Promise<Page<Deployment>> {
      return await fetchPage(http, "deployments/", listQuery(query), DeploymentSchema, signal);
    },
    async *listAll(
      query?: ListDeploymentsQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<Deployment, void, undefined> {
      yield* paginate(http, "deployments/", listQuery(query), DeploymentSchema, signal);
    },
    /** Deployments have no server-side userProvidedId filter (CMA pages through them too). */
    async findByUserProvidedId(
      userProvidedId: string,
      signal?: AbortSignal,
    ): Promise<Deployment | undefined> {
      for await (const d of self.listAll({}, signal)) if (d.userProvidedId === userProvidedId) return d;
      return undefined;
    },
    /** PATCH (204): `label`, `description` (null clears it), `importance`. */
    async update(id: string, input: UpdateDeploymentInput, signal?: AbortSignal): Promise<void> {
      const body = checkInput(UpdateDeploymentSchema, input, "deployment update");
      await http.send({ method: "PATCH", path: path(id), json: body, signal, idempotent: true });
    },
    async delete(id: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: path(id), signal });
    },
    /** Deletions may lag behind their 204 on the real platform (§13.15): polls GET until 404. */
    async waitUntilGone(id: string, wait: WaitOptions = {}): Promise<void> {
      await poll(
        `deployment ${id} to be deleted`,
        async () => {
          try {
            const d = await self.get(id, wait.signal);
            return { done: false, state: d.status ?? "present" };
          } catch (error) {
            if (isNotFound(error)) return { done: true, value: undefined };
            throw error;
          }
        },
        wait,
        ctx.poll,
        ctx.sleep,
      );
    },
    /** POST model/validation/ (200): `status` passing, warning or failing, with the checks. */
    async validateReplacement(
      id: string,
      choice: ModelChoice,
      signal?: AbortSignal,
    ): Promise<ReplacementValidation> {
      return await http.json(
        { method: "POST", path: `${path(id)}model/validation/`, json: modelChoice(choice), signal },
        ReplacementValidationSchema,
      );
    },
    /**
     * PATCH model/ (202): swaps the champion, waits for the job and, when a package was named, until
     * the deployment serves it (TF's check). A failing validation throws the 422.
     */
    async replaceModel(
      id: string,
      choice: ModelChoice,
      reason: ReplacementReason,
      wait: WaitOptions = {},
    ): Promise<Deployment> {
      const body = { ...modelChoice(choice), reason: checkInput(ReplacementReasonSchema, reason, "reason") };
      const after = await runJob(
        ctx,
        { method: "PATCH", path: `${path(id)}model/`, json: body },
        wait,
        DeploymentSchema,
        () => self.get(id, wait.signal),
      );
      if (!("modelPackageId" in body)) return after;
      return await waitFor(
        id,
        "to serve the new package",
        after,
        (d) => d.modelPackage?.id === body.modelPackageId,
        wait,
      );
    },
    async getSettings(id: string, signal?: AbortSignal): Promise<DeploymentSettings> {
      return await http.json(
        { method: "GET", path: `${path(id)}settings/`, signal },
        DeploymentSettingsSchema,
      );
    },
    /** PATCH settings/ with any sections (202, waited for); returns the settings as they are then. */
    async updateSettings(
      id: string,
      input: UpdateSettingsInput,
      wait: WaitOptions = {},
    ): Promise<DeploymentSettings> {
      const body = checkInput(UpdateSettingsSchema, input, "deployment settings");
      // TF accepts any 2xx here and does not poll: a reply without Location is done.
      await startJob(
        ctx,
        { method: "PATCH", path: `${path(id)}settings/`, json: body, idempotent: true },
        wait,
        { locationOptional: true },
      );
      return await self.getSettings(id, wait.signal);
    },
    /** PATCH status/ (`active` or `inactive`), waited for; returns the deployment. */
    async updateStatus(
      id: string,
      status: "active" | "inactive",
      wait: WaitOptions = {},
    ): Promise<Deployment> {
      const value = checkInput(DeploymentStatusInputSchema, status, "deployment status");
      await startJob(
        ctx,
        { method: "PATCH", path: `${path(id)}status/`, json: { status: value }, idempotent: true },
        wait,
        { locationOptional: true },
      );
      return await waitFor(
        id,
        `to be ${value}`,
        await self.get(id, wait.signal),
        (d) => d.status === value,
        wait,
      );
    },
    /** The champion first, then challengers oldest first. */
    async listChallengers(id: string, signal?: AbortSignal): Promise<Challenger[]> {
      const page = await http.json(
        { method: "GET", path: `${path(id)}challengers/`, signal },
        pageSchema(ChallengerSchema),
      );
      return page.data;
    },
    /** POST challengers/ (202, waited for); needs `challengerModels.enabled` in the settings. */
    async createChallenger(
      id: string,
      input: CreateChallengerInput,
      wait: WaitOptions = {},
    ): Promise<Challenger> {
      const body = checkInput(CreateChallengerSchema, input, "challenger");
      return await runJob(
        ctx,
        { method: "POST", path: `${path(id)}challengers/`, json: body },
        wait,
        ChallengerSchema,
        async (response) => {
          const newest = (await self.listChallengers(id, wait.signal)).at(-1);
          if (newest === undefined)
            throw new ApiError("invalid-response", `Deployment ${id} lists no challengers`, {
              method: "GET",
              url: response.url,
            });
          return newest;
        },
      );
    },
  };
  return self;
}
