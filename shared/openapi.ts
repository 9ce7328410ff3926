// Routes are declared once, with the zod schemas that validate them (@hono/zod-openapi), so the
// OpenAPI document every function serves is the code's own description. `route()` adds the error
// responses the kernel answers for that route — validation, media type, body size, the auth and
// rate-limit middleware it lists, 500 — all as the one error envelope, so documented and actual
// errors cannot drift apart.
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { refuseHostile } from "./hostile.ts";

/** The error envelope every function answers with (shared/errors.ts). */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string().meta({ description: "Machine-readable code, e.g. validation_failed, forbidden." }),
    message: z.string().meta({ description: "Human-readable explanation." }),
    details: z.array(
      z.looseObject({
        path: z.string().optional(),
        code: z.string().optional(),
        message: z.string(),
      }),
    ).meta({ description: "Field-level issues (zod's, for validation failures); empty otherwise." }),
    requestId: z.string().meta({ description: "Echoes X-Request-Id; quote it when reporting." }),
  }),
}).meta({ id: "ErrorEnvelope", description: "The one error shape of every powerbase function." });

export const ERROR_ENVELOPE_REF = "#/components/schemas/ErrorEnvelope";

/** What an auth or rate-limit middleware lets the route document about itself. */
export interface RouteGuard {
  /** Error statuses this middleware answers, with what they mean for this route. */
  errors: Partial<Record<ErrorStatus, string>>;
  /** OpenAPI security requirements (an empty list: no credential needed). */
  security?: Record<string, string[]>[];
  /** Appended to the operation's description, e.g. which roles may call it. */
  note?: string;
}

const GUARD = Symbol.for("powerbase.routeGuard");

/** Marks a middleware with what it answers, so `route()` can document it. */
export function guard<M extends MiddlewareHandler>(middleware: M, described: RouteGuard): M {
  return Object.assign(middleware, { [GUARD]: described });
}

function guardOf(middleware: unknown): RouteGuard | undefined {
  return (middleware as { [GUARD]?: RouteGuard } | undefined)?.[GUARD];
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503;

/** An error response documented as the envelope. */
export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ErrorEnvelope } } };
}

/** A JSON response with its schema. */
export function jsonResponse<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A required JSON request body, validated by the schema (400 malformed JSON, 415 other media types). */
/** Seed 001's page envelope, as every list route answers it (leads, orders, ...). */
export function pageSchema<S extends z.ZodType>(item: S, id: string) {
  return z.object({
    items: z.array(item),
    totalCount: z.number().int(),
    hasNext: z.boolean(),
    currentPage: z.number().int(),
    pageSize: z.number().int(),
    nextSkip: z.number().int().nullable(),
    nextCursor: z.string().nullable(),
  }).meta({ id });
}

export function jsonBody<S extends z.ZodType>(schema: S, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}

export type KernelRouteConfig = RouteConfig & {
  /** Further errors the handler or its RPC answers (404 not_found, 409 ...), with their meaning. */
  errors?: Partial<Record<ErrorStatus, string>>;
};

/**
 * createRoute plus the kernel's documented errors. The route keeps its declared type, so handlers are
 * typed by their success responses; errors are thrown (HttpError), never returned.
 */
export function route<R extends KernelRouteConfig>(config: R): Omit<R, "errors"> {
  const { errors: extra = {}, ...rest } = withHostileChecks(config);
  const errors: Partial<Record<ErrorStatus, string>> = {};
  const request = rest.request;
  const middleware = rest.middleware === undefined
    ? []
    : Array.isArray(rest.middleware)
    ? rest.middleware
    : [rest.middleware];
  const guards = middleware.map(guardOf).filter((g): g is RouteGuard => g !== undefined);
  for (const g of guards) Object.assign(errors, g.errors);
  if (request?.query || request?.params || request?.headers || request?.body) {
    errors[422] = "validation_failed: the request does not fit the schema; zod's issues are in details.";
  }
  if (request?.body) {
    errors[400] = "malformed_json: the body is not valid JSON.";
    errors[413] = "payload_too_large: the body exceeds 1 MiB.";
    errors[415] = "unsupported_media_type: the body is not sent as a documented media type.";
  }
  Object.assign(errors, extra);
  errors[500] = "internal_error: an unexpected failure; the message carries no internals.";
  const responses: Record<string, unknown> = { ...rest.responses };
  for (const [status, description] of Object.entries(errors)) {
    responses[status] ??= errorResponse(description!);
  }
  const notes = guards.map((g) => g.note).filter(Boolean);
  const security = guards.find((g) => g.security)?.security;
  return createRoute({
    ...rest,
    ...(notes.length ? { description: [rest.description, ...notes].filter(Boolean).join("\n\n") } : {}),
    ...(security ? { security } : {}),
    responses,
  } as R);
}

/**
 * Every declared query, path, header and JSON body schema also refuses text no field can hold (NUL,
 * lone surrogates) and excessive nesting, as the envelope's 422 with the offending paths.
 */
function withHostileChecks<R extends KernelRouteConfig>(config: R): R {
  const request = config.request;
  if (!request) return config;
  const guarded = <S>(schema: S): S =>
    schema instanceof z.ZodType ? schema.superRefine(refuseHostile) as S : schema;
  const content = request.body?.content;
  return {
    ...config,
    request: {
      ...request,
      ...(request.query ? { query: guarded(request.query) } : {}),
      ...(request.params ? { params: guarded(request.params) } : {}),
      ...(request.headers ? { headers: guarded(request.headers) } : {}),
      ...(request.body && content
        ? {
          body: {
            ...request.body,
            content: Object.fromEntries(
              Object.entries(content).map(([type, media]) => [
                type,
                media && "schema" in media ? { ...media, schema: guarded(media.schema) } : media,
              ]),
            ),
          },
        }
        : {}),
    },
  };
}

/** Components every function's document shares. */
export const SECURITY_SCHEMES = {
  bearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A Supabase Auth access token (Authorization: Bearer), or the service key for jobs.",
  },
  apikey: {
    type: "apiKey",
    in: "header",
    name: "apikey",
    description: "The project's publishable (anon) or secret (service) key.",
  },
} as const;
