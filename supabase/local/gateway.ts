// The functions gateway: /functions/v1/<name>/* reaches that function's Hono app as /<name>/*, as
// on Supabase; verify_jwt from config.toml is enforced first. It also serves the project's JWKS.
import { parse } from "smol-toml";
import { functionDocuments, serveApiDocs } from "../../shared/apidocs.ts";
import { verifyJwt } from "../../shared/auth.ts";
import { parseEnv } from "../../shared/env.ts";
import { log } from "../../shared/log.ts";
import { createPlatformRoutes } from "./realtime/routes.ts";
import { publicJwks, ROOT, type StackConfig } from "./stack.ts";

interface FunctionApp {
  name: string;
  verifyJwt: boolean;
  fetch: (request: Request) => Response | Promise<Response>;
}

interface FunctionConfig {
  enabled?: boolean;
  verify_jwt?: boolean;
  entrypoint?: string;
}

export interface FunctionEntry {
  name: string;
  verifyJwt: boolean;
  /** The Hono app beside the function's index.ts, as a file URL. */
  appUrl: URL;
}

/** The enabled [functions.<name>] of config.toml, the one list of what the stack serves. */
export async function functionEntries(): Promise<FunctionEntry[]> {
  const config = parse(await Deno.readTextFile(`${ROOT}/supabase/config.toml`)) as {
    functions?: Record<string, FunctionConfig>;
  };
  return Object.entries(config.functions ?? {})
    .filter(([, fn]) => fn.enabled !== false)
    .map(([name, fn]) => ({
      name,
      verifyJwt: fn.verify_jwt ?? true,
      appUrl: new URL(
        "app.ts",
        new URL(fn.entrypoint ?? `../functions/${name}/index.ts`, `file://${ROOT}/supabase/`),
      ),
    }));
}

/** Loads every enabled function's app. */
export async function loadFunctions(): Promise<Map<string, FunctionApp>> {
  const apps = new Map<string, FunctionApp>();
  for (const { name, verifyJwt, appUrl } of await functionEntries()) {
    try {
      const module = await import(appUrl.href);
      apps.set(name, { name, verifyJwt, fetch: module.default.fetch });
    } catch (error) {
      // One function that fails to load must not take the others down (as on Supabase, where each
      // deploys on its own); it answers 503 with the reason in the gateway log.
      log("error", `function ${name} failed to load`, { error: String(error) });
      apps.set(name, {
        name,
        verifyJwt: false,
        fetch: () =>
          Response.json({ code: "BOOT_ERROR", message: "Function failed to start" }, { status: 503 }),
      });
    }
  }
  return apps;
}

const platformError = (status: number, message: string) =>
  Response.json({ code: status, message }, { status });

export function createGateway(
  apps: Map<string, FunctionApp>,
  config: StackConfig,
  env: Record<string, string>,
) {
  const functionEnv = parseEnv(env);
  const platformRoutes = createPlatformRoutes({
    realtimePort: config.realtimePort,
    dashboardDir: `${ROOT}/dashboard`,
  });
  return async (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const url = new URL(request.url);
    const platform = await platformRoutes(request);
    if (platform) return platform;
    if (url.pathname === "/auth/v1/.well-known/jwks.json" || url.pathname === "/auth/v1/jwks") {
      return Response.json(await publicJwks(config));
    }
    // The merged API reference of every function (Swagger UI from the local npm package).
    const docs = await serveApiDocs(url.pathname, () => functionDocuments(apps));
    if (docs) return docs;
    const match = url.pathname.match(/^\/functions\/v1\/([\w-]+)(\/.*)?$/);
    if (!match) return Response.json({ message: "no Route matched with those values" }, { status: 404 });
    const app = apps.get(match[1]);
    if (!app) {
      return Response.json({ code: "NOT_FOUND", message: "Requested function was not found" }, {
        status: 404,
      });
    }

    if (app.verifyJwt && request.method !== "OPTIONS") {
      const token = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!token) return platformError(401, "Missing authorization header");
      try {
        await verifyJwt(token, functionEnv);
      } catch {
        return platformError(401, "Invalid JWT");
      }
    }

    const headers = new Headers(request.headers);
    const remote = (info.remoteAddr as Deno.NetAddr).hostname;
    const forwarded = headers.get("x-forwarded-for");
    headers.set("x-forwarded-for", forwarded ? `${forwarded}, ${remote}` : remote);
    const target = new URL(`/${app.name}${match[2] ?? ""}${url.search}`, url);
    const forwardedRequest = new Request(target, {
      method: request.method,
      headers,
      body: request.body,
      signal: request.signal,
    });
    return await app.fetch(forwardedRequest);
  };
}
