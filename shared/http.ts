// The HTTP kernel every function is built on: one Hono app per function under basePath('/<name>'),
// request ids, one masked JSON log line and metrics per request, the error envelope, the 1 MiB body
// limit, CORS, caller resolution and rate limits.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { type Caller, resolveCaller } from "./auth.ts";
import { env } from "./env.ts";
import { badRequest, errorBody, type ErrorDetail, HttpError, unprocessable, zodDetails } from "./errors.ts";
import { log } from "./log.ts";
import { MetricsBuffer } from "./metrics.ts";
import { createLimiter, type Limiter, rateClasses, type RateClassName } from "./ratelimit.ts";
import { redis } from "./redis.ts";
import { recordSecurityEvent } from "./security.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppVariables {
  requestId: string;
  functionName: string;
  callerPromise?: Promise<Caller>;
}
export type AppEnv = { Variables: AppVariables };
export type AppContext = Context<AppEnv>;

export interface AppOptions {
  /** Answer CORS preflights and add CORS headers (browser-facing functions). */
  cors?: boolean;
  /** Apply the global per-IP class to every request (default true). */
  globalRateLimit?: boolean;
  /**
   * The body limit of a request, when a route streams larger bodies than MAX_BODY_BYTES (a CSV
   * upload that is parsed as it arrives and caps its own size).
   */
  maxBodyBytes?: (c: Context) => number;
}

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

/** The first address in X-Forwarded-For, as set by Supabase's edge (and the local gateway). */
export function clientIp(c: Context): string {
  const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || c.req.header("x-real-ip") || "unknown";
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
  };
}

export function errorResponse(c: Context<AppEnv>, error: HttpError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(errorBody(error, c.get("requestId") ?? "unknown"), error.status);
}

export function createApp(functionName: string, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>().basePath(`/${functionName}`);
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
  if (options.globalRateLimit !== false) app.use("*", rateLimit("global", (c) => clientIp(c)));

  app.notFound((c) =>
    errorResponse(
      c,
      new HttpError(404, "route_not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`),
    )
  );
  app.onError((error, c) => {
    if (error instanceof HttpError) return errorResponse(c, error);
    if (error instanceof z.ZodError) {
      return errorResponse(c, unprocessable("The request failed validation.", zodDetails(error)));
    }
    // RPCs raise PostgREST's status SQLSTATEs (PT404, PT422, ...) with the machine code in HINT, so
    // the Data API and postgres.js callers get the same answer. Any other SQLSTATE (42501 included)
    // carries nothing meant for the client and stays a 500.
    const pg = error as { code?: unknown; hint?: string; message?: string };
    const sqlStatus = typeof pg.code === "string" ? pg.code.match(/^PT(4\d\d)$/)?.[1] : undefined;
    if (sqlStatus) {
      // Hono's type lists only the registered 4xx codes; Response accepts any of them.
      const status = Number(sqlStatus) as ContentfulStatusCode;
      return errorResponse(
        c,
        new HttpError(status, pg.hint ?? "invalid_request", pg.message || "Invalid request."),
      );
    }
    log("error", "unhandled error", {
      requestId: c.get("requestId"),
      function: functionName,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return errorResponse(
      c,
      new HttpError(
        500,
        "internal_error",
        "Something went wrong on our side. Quote the request id if you report it.",
      ),
    );
  });
  return app;
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

/** Rate-limit middleware for one class, keyed by the given identity (default: the client IP). */
export function rateLimit(
  className: RateClassName,
  identify?: (c: AppContext) => string | Promise<string>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const identity = identify ? await identify(c) : clientIp(c);
    const decision = await limiter().check(className, identity);
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
  };
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

/** Parses the body as JSON and validates it: 400 when it is not JSON, 422 when it does not fit. */
export async function readJson<T>(c: AppContext, schema: z.ZodType<T>): Promise<T> {
  const text = await c.req.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw badRequest("malformed_json", "The request body is not valid JSON.");
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
