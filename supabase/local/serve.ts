// The long-running half of the local stack, started in the background by `deno task start`:
//   serve.ts bridge   the Upstash REST bridge in front of Redis
//   serve.ts gateway  the functions gateway and the pg_net worker
//   serve.ts gateway-2  a second gateway process on the same port (SO_REUSEPORT), without the worker
// They run as separate processes, as Upstash and the edge runtime are separate services on Supabase.
import { log } from "../../shared/log.ts";
import { createGateway, loadFunctions } from "./gateway.ts";
import { startNetWorker } from "./net_worker.ts";
import { RespPool } from "./resp.ts";
import { functionEnv, stackConfig } from "./stack.ts";
import { UpstashBridge } from "./upstash_bridge.ts";

const config = stackConfig();
const say = (msg: string) => log("info", msg);
const stoppers: Array<() => Promise<unknown>> = [];

function serveBridge() {
  const pool = new RespPool("127.0.0.1", config.redisPort, 8);
  const bridge = new UpstashBridge(pool, config.bridgeToken);
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: config.bridgePort,
      onListen: () => say(`upstash bridge on ${config.bridgeUrl}`),
    },
    (request) => bridge.handle(request),
  );
  stoppers.push(() => server.shutdown(), () => Promise.resolve(pool.close()));
}

async function serveGateway(runNetWorker: boolean) {
  const env = await functionEnv(config);
  for (const [name, value] of Object.entries(env)) Deno.env.set(name, value);
  const apps = await loadFunctions();
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: config.apiPort,
      reusePort: true,
      onListen: () => say(`functions gateway on ${config.apiUrl} serving ${[...apps.keys()].join(", ")}`),
    },
    createGateway(apps, config, env),
  );
  stoppers.push(() => server.shutdown());
  if (runNetWorker) {
    const netWorker = startNetWorker(config.adminDbUrl, say);
    stoppers.push(() => netWorker.stop());
  }
}

const role = Deno.args[0] ?? "gateway";
if (role === "bridge") serveBridge();
else if (role === "gateway") await serveGateway(true);
else if (role === "gateway-2") await serveGateway(false);
else throw new Error(`unknown role ${role}: expected bridge, gateway or gateway-2`);

const shutdown = async () => {
  await Promise.allSettled(stoppers.map((stop) => stop()));
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
