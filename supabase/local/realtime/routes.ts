// What the gateway serves besides functions, on the same origin as on Supabase:
//   /realtime/v1/*   proxied to the local Realtime process, WebSockets included (Kong's job there)
//   /dashboard/*     the static admin dashboard (dashboard/, with its vendor files built from npm)
import { serveDir } from "./static.ts";

const REALTIME_PREFIX = "/realtime/v1/";

function closeCode(code: number): number {
  // A code the peer may legally send on: 1005/1006/1015 are only ever reported, never sent.
  return code === 1005 || code === 1006 || code === 1015 ? 1011 : code;
}

/**
 * Relays one WebSocket to the Realtime process. The handshake is checked upstream first with a
 * plain GET that the server validates like an upgrade (426 when the upgrade would be accepted), so a
 * refused apikey comes back as the server's own 401 instead of a socket that opens and drops.
 */
async function proxyWebSocket(request: Request, upstreamHttp: URL): Promise<Response> {
  const preflight = await fetch(upstreamHttp, { headers: { "x-realtime-preflight": "1" } });
  if (preflight.status !== 426) return preflight;
  await preflight.body?.cancel();

  const { socket: client, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
  client.binaryType = "arraybuffer";
  const upstreamUrl = new URL(upstreamHttp);
  upstreamUrl.protocol = "ws:";
  const upstream = new WebSocket(upstreamUrl);
  upstream.binaryType = "arraybuffer";
  const pending: Array<string | ArrayBuffer> = [];
  client.onmessage = (event) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(event.data);
    else pending.push(event.data);
  };
  upstream.onopen = () => {
    for (const frame of pending.splice(0)) upstream.send(frame);
  };
  upstream.onmessage = (event) => {
    if (client.readyState === WebSocket.OPEN) client.send(event.data);
  };
  upstream.onclose = (event) => {
    if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING) {
      client.close(closeCode(event.code), event.reason);
    }
  };
  upstream.onerror = () => {};
  client.onclose = (event) => {
    if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) {
      upstream.close(event.code === 1000 || (event.code >= 3000 && event.code < 5000) ? event.code : 1000);
    }
  };
  client.onerror = () => {};
  return response;
}

export function createPlatformRoutes(options: { realtimePort: number; dashboardDir: string }) {
  const upstreamBase = `http://127.0.0.1:${options.realtimePort}`;
  return async (request: Request): Promise<Response | null> => {
    const url = new URL(request.url);
    if (url.pathname.startsWith(REALTIME_PREFIX)) {
      const upstream = new URL(url.pathname + url.search, upstreamBase);
      if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
        return await proxyWebSocket(request, upstream).catch(() =>
          Response.json({ message: "An invalid response was received from the upstream server" }, {
            status: 502,
          })
        );
      }
      const headers = new Headers(request.headers);
      headers.delete("host");
      return await fetch(upstream, { method: request.method, headers, body: request.body }).catch(() =>
        Response.json({ message: "An invalid response was received from the upstream server" }, {
          status: 502,
        })
      );
    }
    if (url.pathname === "/dashboard") return Response.redirect(new URL("/dashboard/", url), 301);
    if (url.pathname.startsWith("/dashboard/")) {
      return await serveDir(options.dashboardDir, url.pathname.slice("/dashboard/".length));
    }
    return null;
  };
}
