// The HTTP kernel every function is built on: one OpenAPIHono app per function under
// basePath('/<name>'), request ids, one masked JSON log line and metrics per request, the error
// envelope (validation included), the 1 MiB body limit, CORS, caller resolution, route-scoped role
// middleware, rate limits and the function's OpenAPI 3.1 document.
import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Context, Env, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { type Caller, resolveCaller, type StaffRole } from "./auth.ts";
import { env } from "./env.ts";
import {
  badRequest,
  errorBody,
  type ErrorDetail,
  forbidden,
  HttpError,
  unauthorized,
  unprocessable,
  zodDetails,
} from "./errors.ts";
import {
  ErrorEnvelope,
  errorResponse as errorResponseDoc,
  guard,
  jsonResponse,
  route,
  SECURITY_SCHEMES,
} from "./openapi.ts";
import { hostileIssues, jsonNestsDeeperThan, MAX_JSON_DEPTH } from "./hostile.ts";
import { IpBlocker, parseAllowlist } from "./ipblock.ts";
import { log } from "./log.ts";
import { MetricsBuffer } from "./metrics.ts";
import {
  createLimiter,
  type LimitDecision,
  type Limiter,
  rateClasses,
  type RateClassName,
} from "./ratelimit.ts";
import { redis } from "./redis.ts";
import { recordSecurityEvent } from "./security.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppVariables {
  requestId: string;
  functionName: string;
  callerPromise?: Promise<Caller>;
  /** Set when the answer counts towards blocking the client's address (e.g. a honeypot hit). */
  abuse?: string;
  /**
   * Decisions for the client's address of the rate classes this request meets (the app's global class
   * and any a matched route applies by address), asked for beside the block check.
   */
  rateDecisions?: Map<RateClassName, Promise<LimitDecision>>;
}
export type AppEnv = { Variables: AppVariables };
export type AppContext = Context<AppEnv>;

export interface AppOptions {
  /** Answer CORS preflights and add CORS headers (browser-facing functions). */
  cors?: boolean;
  /** Apply the global per-IP class to every request (default true). */
  globalRateLimit?: boolean;
  /**
   * Routes (OpenAPI paths, e.g. "/o/{token}") the global per-IP class does not apply to: ones that
   * providers and mail clients call from a few shared addresses in bursts (signed webhooks, open pixels
   * and click links fetched by a mail provider's proxy, one-click unsubscribes). They verify their own
   * signatures, and their failures still count towards blocking the address.
   */
  globalRateLimitExempt?: string[];
  /** What the function is for: the OpenAPI document's info.description. */
  description?: string;
  /**
   * The body limit of a request, when a route streams larger bodies than MAX_BODY_BYTES (a CSV
   * upload that is parsed as it arrives and caps its own size).
   */
  maxBodyBytes?: (c: Context) => number;
}

export { errorResponse as errorResponseDoc, jsonBody, jsonResponse, pageSchema, route } from "./openapi.ts";
export type { StaffRole };

let sharedLimiter: Limiter | undefined;
export function limiter(): Limiter {
  sharedLimiter ??= createLimiter(redis(), rateClasses(env().RATE_LIMITS));
  return sharedLimiter;
}

const REQUEST_ID = /^[\w-]{8,64}$/;

/** This isolate's request metrics; flushed to Redis in the background. */
export const metrics = new MetricsBuffer(
  () => redis(),
  1000,
  (error) => log("warn", "metrics not recorded", { error: String(error) }),
);

let sharedBlocker: IpBlocker | undefined;
export function ipBlocker(): IpBlocker {
  sharedBlocker ??= new IpBlocker(() => redis(), {
    threshold: env().IP_BLOCK_THRESHOLD,
    windowSeconds: env().IP_BLOCK_WINDOW_SECONDS,
    blockSeconds: env().IP_BLOCK_SECONDS,
    allowlist: parseAllowlist(env().IP_BLOCK_ALLOWLIST),
  });
  return sharedBlocker;
}

const IP_ADDRESS = /^[0-9a-f.:]{2,45}$/i;

/**
 * The client's address: the X-Forwarded-For entry added by the outermost trusted proxy
 * (TRUSTED_PROXY_HOPS from the right; Supabase's edge and the local gateway each append the address
 * they accepted the connection from). Entries further left were written by the client and are never
 * used; "unknown" when there is no usable entry.
 */
export function clientIp(c: Context, trustedHops = env().TRUSTED_PROXY_HOPS): string {
  const entries = (c.req.header("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim())
    .filter(Boolean);
  const entry = entries[Math.max(0, entries.length - trustedHops)];
  return entry && IP_ADDRESS.test(entry) ? entry : "unknown";
}

/**
 * JSON (and sendBeacon's text/plain) bodies nesting deeper than any schema are refused before any
 * parser or walker sees them; the text stays cached for the validators.
 */
function refuseDeepJson(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = c.req.header("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
    if ((type === "application/json" || type === "text/plain" || type.endsWith("+json")) && c.req.raw.body) {
      if (jsonNestsDeeperThan(await c.req.text())) {
        throw badRequest("nesting_too_deep", `The body nests deeper than ${MAX_JSON_DEPTH} levels.`);
      }
    }
    await next();
  };
}

/** Statuses that count as a failed request towards blocking the address (with the abuse flag). */
const FAILURE_STATUSES = new Set([401, 422]);

/**
 * 403 ip_blocked for a blocked address, before anything else of the request runs. The checks of the
 * rate classes the request will meet by address (the app's global class, and each class a matched
 * route's rateLimit(...) applies without its own identity, e.g. search's) are asked for here too,
 * beside the block check, so all commands leave in one Redis pipeline (the client in shared/redis.ts
 * coalesces what is asked while a call is in flight) instead of one round trip after the other; each
 * rateLimit(...) applies its decision in its own place, so answers keep their order (403, then 400
 * nesting_too_deep, then 429). A request refused before that place spends a token of the class all the
 * same, which only a client already refused can notice.
 */
function refuseBlocked(prefetchGlobal: (c: AppContext) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ip = clientIp(c);
    const classes = new Set<RateClassName>();
    if (prefetchGlobal(c)) classes.add("global");
    for (const matched of c.req.matchedRoutes) {
      const rateClass = (matched.handler as { [BY_ADDRESS]?: RateClassName })[BY_ADDRESS];
      if (rateClass) classes.add(rateClass);
    }
    if (classes.size) {
      c.set("rateDecisions", new Map([...classes].map((name) => [name, limiter().check(name, ip)])));
    }
    const status = await ipBlocker().check(ip);
    if (status.blocked) {
      throw new HttpError(
        403,
        "ip_blocked",
        `Too many failed requests from your address; retry after ${status.retryAfterSeconds} s.`,
        [],
        { "Retry-After": String(Math.max(1, status.retryAfterSeconds)) },
      );
    }
    await next();
  };
}

function observe(functionName: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);
    c.set("functionName", functionName);
    await next();
    c.header("X-Request-Id", requestId);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const route = c.req.routePath || "unmatched";
    log(c.res.status >= 500 ? "error" : "info", "request", {
      requestId,
      function: functionName,
      method: c.req.method,
      route,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      durationMs,
    });
    metrics.record({ fn: functionName, method: c.req.method, route, status: c.res.status, durationMs });
    const failure = c.get("abuse") ?? (FAILURE_STATUSES.has(c.res.status) ? `status_${c.res.status}` : null);
    // Counted in the background; recordFailure never throws.
    if (failure) ipBlocker().recordFailure(clientIp(c), failure, functionName);
  };
}

export function errorResponse(c: Context<AppEnv>, error: HttpError): Response {
  if (error.abuse) c.set("abuse", error.code);
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(errorBody(error, c.get("requestId") ?? "unknown"), error.status);
}

/**
 * One function's app: OpenAPIHono under basePath('/<name>') with the kernel's middleware, the error
 * envelope for every failure (validation included, through the default hook) and its own OpenAPI 3.1
 * document at GET /<name>/openapi.json.
 */
export function createApp(functionName: string, options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const root = new OpenAPIHono<AppEnv>({
    // Validation failures of any declared part (query, params, headers, body) become the envelope's
    // 422, with zod's issues as details; malformed JSON is Hono's HTTPException(400), mapped below.
    defaultHook: (result) => {
      if (!result.success) {
        throw unprocessable(
          `The ${VALIDATION_TARGETS[result.target] ?? result.target} failed validation.`,
          zodDetails(result.error),
        );
      }
    },
  });
  const app = root.basePath(`/${functionName}`);
  app.use("*", observe(functionName));
  if (options.cors) {
    app.use(
      "*",
      cors({
        origin: "*",
        allowHeaders: [
          "authorization",
          "x-client-info",
          "apikey",
          "content-type",
          "x-request-id",
          "idempotency-key",
        ],
        allowMethods: ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
        exposeHeaders: [
          "X-Request-Id",
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
          "Retry-After",
        ],
        maxAge: 86400,
      }),
    );
  }
  const limitFor = options.maxBodyBytes ?? (() => MAX_BODY_BYTES);
  app.use("*", (c, next) => {
    const maxSize = limitFor(c);
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new HttpError(413, "payload_too_large", `The request body exceeds ${maxSize} bytes.`);
      },
    })(c, next);
  });
  const exempt = pathMatcher(functionName, options.globalRateLimitExempt ?? []);
  const globalApplies = (c: AppContext) => options.globalRateLimit !== false && !exempt(c.req.path);
  app.use("*", refuseBlocked(globalApplies));
  app.use("*", refuseDeepJson());
  if (options.globalRateLimit !== false) {
    const global = rateLimit("global");
    app.use("*", (c, next) => globalApplies(c) ? global(c, next) : next());
  }
  documentAppErrors(app, options);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", SECURITY_SCHEMES.bearer);
  app.openAPIRegistry.registerComponent("securitySchemes", "apikey", SECURITY_SCHEMES.apikey);
  app.openAPIRegistry.register("ErrorEnvelope", ErrorEnvelope);
  app.openapi(
    route({
      method: "get",
      path: "/openapi.json",
      summary: `The OpenAPI 3.1 document of ${functionName}`,
      tags: ["meta"],
      responses: { 200: jsonResponse(z.looseObject({}), "This function's OpenAPI 3.1 document.") },
    }),
    (c) => c.json(openApiDocument(app, functionName, options), 200),
  );

  const allowedMethods = methodsByPath(app, options);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = allowedMethods(path);
    if (allowed.length) {
      return errorResponse(
        c,
        new HttpError(
          405,
          "method_not_allowed",
          `${c.req.method} is not allowed here; use ${allowed.join(", ")}.`,
          [],
          {
            Allow: allowed.join(", "),
          },
        ),
      );
    }
    return errorResponse(c, new HttpError(404, "route_not_found", `No route for ${c.req.method} ${path}.`));
  });
  app.onError((error, c) => errorResponse(c, toHttpError(error, c, functionName)));
  return app;
}

/**
 * What every route of the app may answer besides its own errors — the block check and, unless the
 * app opts out, the global rate class — added to each route's documented responses at registration.
 */
function documentAppErrors(app: OpenAPIHono<AppEnv>, options: AppOptions): void {
  const register = app.openapi;
  const blocked = "ip_blocked: too many failed requests (401, 422, honeypot hits) came from this address; " +
    "Retry-After says when the block ends.";
  app.openapi = ((config: RouteConfig, handler: never, hook: never) => {
    const responses: RouteConfig["responses"] = { ...config.responses };
    const roles = responses[403];
    responses[403] = roles && "description" in roles
      ? { ...roles, description: `${roles.description} Or ${blocked}` }
      : errorResponseDoc(blocked);
    if (options.globalRateLimit !== false && !(options.globalRateLimitExempt ?? []).includes(config.path)) {
      responses[429] ??= errorResponseDoc(
        "rate_limited: the global rate class for this address is exhausted; Retry-After says when to retry.",
      );
    }
    return register({ ...config, responses }, handler, hook);
  }) as typeof app.openapi;
}

/** A route path's pattern over request paths: Hono's `/:id` and OpenAPI's `/{id}` match one segment. */
function routePattern(routePath: string): RegExp {
  const segments = routePath.split("/").map((segment) =>
    /^:|^\{.*\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${segments.join("/")}/?$`);
}

/** Whether a request path (with the function's base path) is one of the given OpenAPI route paths. */
function pathMatcher(functionName: string, routePaths: string[]): (path: string) => boolean {
  const patterns = routePaths.map((routePath) => routePattern(`/${functionName}${routePath}`));
  return (path) => patterns.some((pattern) => pattern.test(path));
}

/**
 * The methods the app answers for a path (for 405's Allow), from its registered routes. Built on
 * first use, when every route is registered; HEAD comes with GET (Hono answers it), OPTIONS with CORS.
 */
function methodsByPath(app: OpenAPIHono<AppEnv>, options: AppOptions): (path: string) => string[] {
  let patterns: { pattern: RegExp; method: string }[] | undefined;
  return (path) => {
    patterns ??= app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => ({
        method: r.method,
        pattern: routePattern(r.path),
      }));
    const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method));
    if (methods.size === 0) return [];
    if (methods.has("GET")) methods.add("HEAD");
    if (options.cors) methods.add("OPTIONS");
    return [...methods].sort();
  };
}

const VALIDATION_TARGETS: Record<string, string> = {
  json: "request body",
  form: "request body",
  query: "query string",
  param: "path",
  header: "request headers",
  cookie: "cookies",
};

/** The document `GET /<name>/openapi.json` serves; paths carry the base path, servers the gateway's. */
export function openApiDocument<E extends Env>(
  app: OpenAPIHono<E>,
  functionName: string,
  options: AppOptions = {},
) {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: `powerbase ${functionName}`,
      version: "1.0.0",
      description: options.description,
    },
    servers: [{ url: "/functions/v1", description: "Supabase Edge Functions (relative to the project URL)" }],
  });
}

/** Any thrown value as the envelope's HttpError; unexpected ones are logged and become a bare 500. */
function toHttpError(error: unknown, c: AppContext, functionName: string): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof z.ZodError) return unprocessable("The request failed validation.", zodDetails(error));
  if (error instanceof HTTPException) {
    // Hono's own refusals: the JSON validator's malformed body and zod-openapi's media-type gate.
    if (error.status === 400) return badRequest("malformed_json", "The request body is not valid JSON.");
    if (error.status === 415) {
      return new HttpError(
        415,
        "unsupported_media_type",
        `Send the body as ${c.req.method === "GET" ? "a query string" : "application/json"}.`,
      );
    }
    if (error.status < 500) {
      return new HttpError(error.status as ContentfulStatusCode, "invalid_request", error.message);
    }
  }
  // RPCs raise PostgREST's status SQLSTATEs (PT404, PT422, ...) with the machine code in HINT, so
  // the Data API and postgres.js callers get the same answer. Any other SQLSTATE (42501 included)
  // carries nothing meant for the client and stays a 500.
  const pg = error as { code?: unknown; hint?: string; message?: string };
  const sqlStatus = typeof pg.code === "string" ? pg.code.match(/^PT(4\d\d)$/)?.[1] : undefined;
  if (sqlStatus) {
    // Hono's type lists only the registered 4xx codes; Response accepts any of them.
    const status = Number(sqlStatus) as ContentfulStatusCode;
    return new HttpError(status, pg.hint ?? "invalid_request", pg.message || "Invalid request.");
  }
  // Data exceptions (class 22: a value out of range or in no valid representation) come from input
  // that slipped past a schema; the statement failed as a whole, so nothing was written.
  if (typeof pg.code === "string" && pg.code.startsWith("22")) {
    log("warn", "input refused by the database", { requestId: c.get("requestId"), sqlstate: pg.code });
    return unprocessable("A value is outside what the database accepts.", [{
      code: "invalid_value",
      message: "A value is out of range or not valid text.",
    }]);
  }
  // Integrity violations (class 23) refuse one statement for the caller's data, as PostgREST answers
  // them: a duplicate or a missing referenced row is a 409, a NULL or a failed check a 422 (PostgREST
  // says 400; validation here is 422 everywhere). The statement failed whole, so nothing was written.
  const integrity = typeof pg.code === "string" ? INTEGRITY_ERRORS[pg.code] : undefined;
  if (integrity) {
    const constraint = (error as { constraint_name?: string }).constraint_name;
    log("warn", "input refused by a constraint", {
      requestId: c.get("requestId"),
      sqlstate: pg.code,
      constraint,
    });
    return new HttpError(integrity.status, integrity.code, integrity.message, [{
      code: integrity.code,
      message: constraint ? `constraint ${constraint}` : integrity.message,
    }]);
  }
  log("error", "unhandled error", {
    requestId: c.get("requestId"),
    function: functionName,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  return new HttpError(
    500,
    "internal_error",
    "Something went wrong on our side. Quote the request id if you report it.",
  );
}

const INTEGRITY_ERRORS: Record<string, { status: 409 | 422; code: string; message: string }> = {
  "23505": { status: 409, code: "conflict", message: "A record with the same unique value already exists." },
  "23503": {
    status: 409,
    code: "reference_conflict",
    message: "A referenced record does not exist or is still in use.",
  },
  "23502": { status: 422, code: "missing_value", message: "A required value is missing." },
  "23514": {
    status: 422,
    code: "invalid_value",
    message: "A value breaks a rule of the data it belongs to.",
  },
};

const BEARER: Record<string, string[]>[] = [{ bearer: [] }, { apikey: [] }];

/**
 * Route middleware: staff with one of `roles` (the verified `user_role` claim) or the service key.
 * 401 without a valid user token, 403 for a signed-in user without one of the roles.
 */
export function requireRoles(...roles: StaffRole[]): MiddlewareHandler<AppEnv> {
  return guard(async (c, next) => {
    const who = await caller(c);
    if (who.role !== "service_role") {
      if (who.role !== "authenticated") throw unauthorized();
      if (!who.staffRole || !roles.includes(who.staffRole)) {
        throw forbidden(`This needs one of the roles: ${roles.join(", ")}.`);
      }
    }
    await next();
  }, {
    errors: {
      401: "unauthorized: no valid user token (anonymous, publishable key, invalid or expired token).",
      403: `forbidden: the signed-in user holds none of the roles ${roles.join(", ")}.`,
    },
    security: BEARER,
    note: `Roles: ${roles.join(", ")} (or the service key).`,
  });
}

/** Route middleware: any signed-in user (a verified user token); 401 otherwise. */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return guard(async (c, next) => {
    if ((await caller(c)).role !== "authenticated") throw unauthorized();
    await next();
  }, {
    errors: { 401: "unauthorized: no valid user token." },
    security: BEARER,
    note: "Any signed-in user.",
  });
}

/** Route middleware: the service key only (jobs, webhooks' operators); 401 anonymous, 403 users. */
export function requireService(): MiddlewareHandler<AppEnv> {
  return guard(async (c, next) => {
    const who = await caller(c);
    if (who.role === "service_role") return await next();
    if (who.role !== "authenticated") throw unauthorized();
    throw forbidden("Only the service key may call this.");
  }, {
    errors: {
      401: "unauthorized: no valid credential.",
      403: "forbidden: a user token, not the service key.",
    },
    security: BEARER,
    note: "Service key only.",
  });
}

/** The verified caller of this request (memoized); throws 401 for a bad token. */
export function caller(c: AppContext): Promise<Caller> {
  let pending = c.get("callerPromise");
  if (!pending) {
    pending = resolveCaller(c.req.raw.headers);
    c.set("callerPromise", pending);
  }
  return pending;
}

/** Marks a rateLimit(...) middleware that limits by the client's address (the kernel prefetches it). */
const BY_ADDRESS = Symbol("rate class by address");

/** Rate-limit middleware for one class, keyed by the given identity (default: the client IP). */
export function rateLimit(
  className: RateClassName,
  identify?: (c: AppContext) => string | Promise<string>,
): MiddlewareHandler<AppEnv> {
  const middleware = guard(async (c, next) => {
    const identity = identify ? await identify(c) : clientIp(c);
    const prefetched = identify ? undefined : c.get("rateDecisions")?.get(className);
    const decision = await (prefetched ?? limiter().check(className, identity));
    const resetSeconds = Math.max(0, Math.ceil((decision.reset - Date.now()) / 1000));
    c.header("RateLimit-Limit", String(decision.limit));
    c.header("RateLimit-Remaining", String(decision.remaining));
    c.header("RateLimit-Reset", String(resetSeconds));
    if (!decision.allowed) {
      recordAbuseOnce(className, identity, c);
      throw new HttpError(
        429,
        "rate_limited",
        `Too many requests for the ${className} class; retry after ${resetSeconds} s.`,
        [{ code: className, message: `limit ${decision.limit}`, retryAfterSeconds: resetSeconds }],
        { "Retry-After": String(Math.max(1, resetSeconds)) },
      );
    }
    await next();
  }, {
    errors: {
      429: `rate_limited: the ${className} rate class is exhausted; Retry-After says when to retry.`,
    },
  });
  if (!identify) Object.assign(middleware, { [BY_ADDRESS]: className });
  return middleware;
}

/** One security event per identity and class per minute, however many requests get refused. */
function recordAbuseOnce(className: RateClassName, identity: string, c: AppContext): void {
  redis().set(`abuse:${className}:${identity}`, 1, { nx: true, ex: 60 })
    .then((first) => {
      if (first) {
        return recordSecurityEvent({
          kind: "rate_limited",
          ip: clientIp(c),
          functionName: c.get("functionName"),
          details: { class: className, identity, route: c.req.routePath },
        });
      }
    })
    .catch((error) => log("warn", "abuse event not recorded", { error: String(error) }));
}

/**
 * Parses the body as JSON and validates it: 400 when it is not JSON, 422 when it does not fit or
 * carries text no field can hold (NUL, lone surrogates). For bodies whose items are checked one by
 * one (tracking batches, lead imports), `itemized` leaves that text check to the item schemas, so one
 * bad item is refused alone. For routes zod-openapi cannot validate (sendBeacon's text/plain).
 */
export async function readJson<T>(
  c: AppContext,
  schema: z.ZodType<T>,
  options: { itemized?: boolean } = {},
): Promise<T> {
  const text = await c.req.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw badRequest("malformed_json", "The request body is not valid JSON.");
  }
  if (!options.itemized) {
    const issues = hostileIssues(data);
    if (issues.length) {
      throw unprocessable(
        "The request body failed validation.",
        issues.map((issue) => ({ path: issue.path.join("."), code: "custom", message: issue.message })),
      );
    }
  }
  return validate(schema, data, "The request body failed validation.");
}

/** Validates the query string: 422 with zod's issues when it does not fit. */
export function readQuery<T>(c: AppContext, schema: z.ZodType<T>): T {
  return validate(schema, c.req.query(), "The query string failed validation.");
}

export function validate<T>(schema: z.ZodType<T>, data: unknown, message: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw unprocessable(message, zodDetails(result.error) as ErrorDetail[]);
  return result.data;
}
