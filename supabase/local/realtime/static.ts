// Static files for the gateway's /dashboard/ (the dashboard is plain files, deployable to any static
// host). Small on purpose: std's file server is on JSR, which this stack cannot reach.
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

export async function serveDir(root: string, relative: string): Promise<Response> {
  let cleaned: string;
  try {
    cleaned = normalize(decodeURIComponent(relative || "index.html"));
  } catch {
    return Response.json({ message: "Not found" }, { status: 404 });
  }
  if (cleaned.startsWith("/") || cleaned.split("/").includes("..")) {
    return Response.json({ message: "Not found" }, { status: 404 });
  }
  let path = join(root, cleaned);
  try {
    if ((await Deno.stat(path)).isDirectory) path = join(path, "index.html");
    const body = await Deno.readFile(path);
    return new Response(body, {
      headers: {
        "content-type": TYPES[extname(path)] ?? "application/octet-stream",
        "cache-control": "no-cache",
      },
    });
  } catch {
    return Response.json({ message: "Not found" }, { status: 404 });
  }
}
