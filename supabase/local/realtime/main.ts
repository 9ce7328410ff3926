// The local Realtime process, started in the background by `./dev start` (a separate service, as
// Realtime is on Supabase). It follows realtime.messages first, then listens: a client that has
// joined never misses a row committed after its join reply.
//   deno run -A supabase/local/realtime/main.ts
import postgres from "postgres";
import { log } from "../../../shared/log.ts";
import { LOCAL_JWT_SECRET, publicJwks, stackConfig } from "../stack.ts";
import { followMessages } from "./replication.ts";
import { RealtimeServer } from "./server.ts";
import { TokenVerifier } from "./tokens.ts";

const config = stackConfig();
// A stand-in must outlive its database: postgres.js reconnects from timers whose failures surface as
// unhandled rejections while PostgreSQL restarts; the replication watchdog recovers, so log them.
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  log("warn", "realtime: background database error", { error: String(event.reason) });
});
const say = (msg: string, fields: Record<string, unknown> = {}) => log("info", msg, fields);

// Authorization probes and replays; Realtime's own pool to the tenant database is small too. Realtime
// connects as supabase_admin, as Supabase's self-hosted stack configures it (DB_USER: supabase_admin).
const sql = postgres(config.adminDbUrl, {
  max: 4,
  prepare: false,
  onnotice: () => {},
  connection: { application_name: "realtime_rls" },
});
const verifier = new TokenVerifier({ jwtSecret: LOCAL_JWT_SECRET, jwks: await publicJwks(config) });
const server = new RealtimeServer(verifier, sql);
const replication = await startReplication();

async function startReplication() {
  for (let attempt = 1;; attempt++) {
    try {
      return await followMessages(
        config.adminDbUrl,
        (row) => server.deliver(row),
        (error) => log("warn", "realtime: replication", { error: String(error) }),
      );
    } catch (error) {
      if (attempt >= 50) throw error;
      log("warn", "realtime: waiting for the database", { error: String(error) });
      await new Promise((resolve) => setTimeout(resolve, 200 * Math.min(attempt, 10)));
    }
  }
}
const http = Deno.serve({
  hostname: "127.0.0.1",
  port: config.realtimePort,
  onListen: () => say(`realtime on ws://127.0.0.1:${config.realtimePort}/realtime/v1/websocket`),
}, async (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === "/realtime/v1/websocket" || pathname === "/socket/websocket") {
    return await server.handle(request);
  }
  if (/^(\/realtime\/v1)?\/api\/broadcast(\/[^/]+\/events\/[^/]+)?$/.test(pathname)) {
    return await server.broadcastApi(request);
  }
  if (pathname === "/api/health" || pathname === "/realtime/v1/api/health") {
    return Response.json({ status: "ok", connections: server.connectionCount });
  }
  return Response.json({ message: "no Route matched with those values" }, { status: 404 });
});

const shutdown = async () => {
  server.closeAll();
  await Promise.allSettled([http.shutdown(), replication.stop(), sql.end({ timeout: 1 })]);
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
