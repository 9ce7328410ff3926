// One API reference page for every function: their OpenAPI 3.1 documents (each served by the
// function itself at /functions/v1/<name>/openapi.json) merged into one, rendered by Swagger UI whose
// assets come from the swagger-ui-dist npm package on this machine, never from a CDN. The local
// gateway serves it at /docs/; on a hosted project each function's own document is the reference.
import { getAbsoluteFSPath } from "swagger-ui-dist";

interface Document {
  paths?: Record<string, Record<string, { tags?: string[] }>>;
  components?: Record<string, Record<string, unknown>>;
}

export interface FunctionDocument {
  name: string;
  document: Document;
}

/** Each function's own document, asked of the function as a client would (GET /<name>/openapi.json). */
export async function functionDocuments(
  apps: Map<string, { fetch: (request: Request) => Response | Promise<Response> }>,
): Promise<FunctionDocument[]> {
  const documents: FunctionDocument[] = [];
  for (const [name, app] of apps) {
    const response = await app.fetch(
      new Request(`http://docs.local/${name}/openapi.json`, {
        headers: { "x-forwarded-for": "127.0.0.1" },
      }),
    );
    if (response.ok) documents.push({ name, document: await response.json() });
    else await response.body?.cancel();
  }
  return documents;
}

/** The merged document: every function's paths (tagged with the function) and shared components. */
export function mergedDocument(documents: FunctionDocument[]) {
  const paths: Record<string, unknown> = {};
  const components: Record<string, Record<string, unknown>> = {};
  for (const { name, document: doc } of documents) {
    for (const [path, operations] of Object.entries(doc.paths ?? {})) {
      paths[path] = Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => [method, { ...operation, tags: [name] }]),
      );
    }
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      components[kind] = { ...components[kind], ...entries };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "powerbase API",
      version: "1.0.0",
      description: "Every edge function of powerbase. Errors are always the ErrorEnvelope; " +
        "each function also serves its own document at /functions/v1/<name>/openapi.json.",
    },
    servers: [{ url: "/functions/v1", description: "Edge functions of this project" }],
    tags: documents.map(({ name }) => ({ name })),
    paths,
    components,
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>powerbase API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/reference.js"></script>
</body>
</html>`;

const BOOT = `window.ui = SwaggerUIBundle({
  url: "/docs/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  persistAuthorization: true,
});`;

/** Only these files of the package are served: nothing else of the disk is reachable. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

/**
 * Answers /docs/ (the page), /docs/openapi.json (the merged document), /docs/reference.js and the
 * Swagger UI assets; null for any other path.
 */
export async function serveApiDocs(
  pathname: string,
  documents: () => Promise<FunctionDocument[]>,
): Promise<Response | null> {
  if (pathname === "/docs") return new Response(null, { status: 301, headers: { location: "/docs/" } });
  if (pathname === "/docs/") {
    return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
  }
  if (pathname === "/docs/reference.js") {
    return new Response(BOOT, { headers: { "content-type": "text/javascript; charset=utf-8" } });
  }
  if (pathname === "/docs/openapi.json") return Response.json(mergedDocument(await documents()));
  const asset = pathname.match(/^\/docs\/assets\/([\w.-]+)$/)?.[1];
  if (asset && ASSETS[asset]) {
    const body = await Deno.readFile(`${getAbsoluteFSPath()}/${asset}`);
    return new Response(body, {
      headers: { "content-type": ASSETS[asset], "cache-control": "public, max-age=3600" },
    });
  }
  return pathname.startsWith("/docs/") ? Response.json({ message: "not found" }, { status: 404 }) : null;
}
