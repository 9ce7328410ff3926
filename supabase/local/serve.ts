// The long-running half of the local stack: functions gateway, Upstash bridge and pg_net worker in
// one process, started in the background by `deno task start`.
import { createGateway, loadFunctions } from "./gateway.ts";
import { startNetWorker } from "./net_worker.ts";
import { RespPool } from "./resp.ts";
import { functionEnv, stackConfig } from "./stack.ts";
import { UpstashBridge } from "./upstash_bridge.ts";

const config = stackConfig();
const env = await functionEnv(config);
for (const [name, value] of Object.entries(env)) Deno.env.set(name, value);

const say = (msg: string) =>
  console.error(JSON.stringify({ level: "info", time: new Date().toISOString(), msg }));

const pool = new RespPool("127.0.0.1", config.redisPort, 8);
const bridge = new UpstashBridge(pool, config.bridgeToken);
const bridgeServer = Deno.serve(
  {
    hostname: "127.0.0.1",
    port: config.bridgePort,
    onListen: () => say(`upstash bridge on ${config.bridgeUrl}`),
  },
  (request) => bridge.handle(request),
);

const apps = await loadFunctions();
const gatewayServer = Deno.serve(
  {
    hostname: "127.0.0.1",
    port: config.apiPort,
    onListen: () => say(`functions gateway on ${config.apiUrl} serving ${[...apps.keys()].join(", ")}`),
  },
  createGateway(apps, config, env),
);

const netWorker = startNetWorker(config.dbUrl, say);

const shutdown = async () => {
  await Promise.allSettled([gatewayServer.shutdown(), bridgeServer.shutdown(), netWorker.stop()]);
  pool.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
