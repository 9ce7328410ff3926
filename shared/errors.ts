// The one error shape every function answers with:
// { "error": { "code", "message", "details", "requestId" } }.
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

export interface ErrorDetail {
  path?: string;
  code?: string;
  message: string;
  [key: string]: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
    /** True when this answer counts towards blocking the client's address (shared/ipblock.ts). */
    readonly abuse = false,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** A refusal that also counts towards blocking the address, e.g. a filled honeypot. */
export const abusive = (status: ContentfulStatusCode, code: string, message: string) =>
  new HttpError(status, code, message, [], {}, true);

export const badRequest = (code: string, message: string, details: ErrorDetail[] = []) =>
  new HttpError(400, code, message, details);
export const unauthorized = (message = "A valid bearer token is required.") =>
  new HttpError(401, "unauthorized", message, [], { "WWW-Authenticate": 'Bearer realm="powerbase"' });
export const forbidden = (message = "Your role may not do this.") => new HttpError(403, "forbidden", message);
export const notFound = (message = "Not found.") => new HttpError(404, "not_found", message);
export const conflict = (code: string, message: string, details: ErrorDetail[] = []) =>
  new HttpError(409, code, message, details);
export const unprocessable = (message: string, details: ErrorDetail[] = []) =>
  new HttpError(422, "validation_failed", message, details);

/** zod issues as envelope details: a dotted path, zod's code and its message. */
export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    code: issue.code,
    message: issue.message,
  }));
}

export function errorBody(error: HttpError, requestId: string) {
  return { error: { code: error.code, message: error.message, details: error.details, requestId } };
}
