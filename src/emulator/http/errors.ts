/** Field name -> one reason, the flat `errors` map of API.md §0.6. */
export type FieldErrors = Record<string, string>;

/**
 * An error that becomes an HTTP reply `{message, errors?}` with its status. Route code throws it;
 * the server's error handler renders it (and rolls back the request's transaction by unwinding).
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly errors: FieldErrors | undefined;
  readonly headers: Record<string, string>;
  constructor(
    statusCode: number,
    message: string,
    errors?: FieldErrors,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.statusCode = statusCode;
    this.errors = errors;
    this.headers = headers;
  }
}

export const notFound = (message: string): HttpError => new HttpError(404, message);

/** 422 with the reason under `errors[field]` too, so clients can show it next to the field. */
export function invalid(field: string, message: string): HttpError {
  return new HttpError(422, message, { [field]: message });
}

export const conflict = (message: string): HttpError => new HttpError(409, message);

/** Error bodies must be ASCII (PY decodes them as ASCII, API.md §0.3). */
export function asciiOnly(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x00-\x7f]/g, "?");
}
