import { ApiError } from "../../../client/index.js";

/**
 * Retries a call that is safe to repeat (a PATCH with the same body, a create made idempotent by
 * userProvidedId) on 5xx and connection errors, which the client retries only for idempotent
 * HTTP methods. Anything else (4xx, abort, timeouts of waits) is thrown at once.
 */
export async function retrySafe<T>(call: () => Promise<T>, signal: AbortSignal, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const transient =
        error instanceof ApiError &&
        (error.code === "network-error" || (error.code === "api-error" && (error.status ?? 0) >= 500));
      if (!transient || attempt >= attempts || signal.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
    }
  }
}
