// `./dev status`: what /health/status checks inside, checked from outside — a real query through
// PL/pgSQL, Redis and Redis through the Upstash bridge, both gateway processes and the functions
// behind them, the pg_net worker (pg_net's own net.check_worker_is_up()), and every provider
// stand-in registered in supabase/local/standins/.
import { query } from "./postgres.ts";
import { RespConnection } from "./resp.ts";
import { ROOT, type StackConfig } from "./stack.ts";

// Background processes: the Upstash bridge (a stand-in for a remote service, so it does not share
// the functions' JavaScript thread) and two gateway processes sharing the API port (SO_REUSEPORT),
// as Supabase's edge runtime serves a function from several isolates at once; the first also runs
// the pg_net worker. The local Realtime is its own process too, proxied by the gateways.
export const ROLES = ["bridge", "realtime", "gateway", "gateway-2"] as const;
export type Role = typeof ROLES[number];
export const pidFileOf = (config: StackConfig, role: Role) => `${config.stateDir}/${role}.pid`;
export const logFileOf = (config: StackConfig, role: Role) => `${config.stateDir}/${role}.log`;

/** Every log the stack writes, for the start summary and `./dev status`. */
export function logFiles(config: StackConfig): string[] {
  return [
    ...ROLES.map((role) => logFileOf(config, role)),
    `${config.stateDir}/redis.log`,
    `/var/log/postgresql/postgresql-15-${config.cluster}.log`,
  ];
}

export function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

export async function redisPing(port: number): Promise<boolean> {
  try {
    const connection = await RespConnection.open("127.0.0.1", port);
    try {
      const [reply] = await connection.send([["PING"]]);
      return reply !== undefined;
    } finally {
      connection.close();
    }
  } catch {
    return false;
  }
}

export interface StandIn {
  name: string;
  healthUrl: (config: StackConfig) => string;
}

export interface CheckResult {
  name: string;
  where: string;
  /** Why the part is down (the last line of the error), or null when it is up. */
  error: string | null;
}

interface Check {
  name: string;
  where: string;
  run: () => Promise<unknown>;
}

async function expectOk(pending: Promise<Response>): Promise<void> {
  const response = await pending;
  await response.body?.cancel();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

/** The provider stand-ins registered in `dir` (see supabase/local/standins/README.md). */
export async function registeredStandIns(dir = `${ROOT}/supabase/local/standins`): Promise<StandIn[]> {
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  const names = entries.filter((e) => e.isFile && e.name.endsWith(".ts")).map((e) => e.name).sort();
  const standIns: StandIn[] = [];
  for (const name of names) {
    const standin = (await import(`file://${dir}/${name}`)).standin as StandIn | undefined;
    if (standin) standIns.push(standin);
  }
  return standIns;
}

/** One gateway process: its pid is alive and its own log shows it listening. */
async function gatewayProcess(config: StackConfig, role: Role): Promise<void> {
  const pid = Number(await Deno.readTextFile(pidFileOf(config, role)).catch(() => "0"));
  if (!(pid > 0 && isAlive(pid))) throw new Error("no process");
  if (!(await Deno.readTextFile(logFileOf(config, role)).catch(() => "")).includes("functions gateway on")) {
    throw new Error("not listening");
  }
}

export async function checkStack(
  config: StackConfig,
  standIns: StandIn[] | null = null,
): Promise<CheckResult[]> {
  const checks: Check[] = [
    {
      name: "postgres",
      where: `127.0.0.1:${config.dbPort}`,
      run: () =>
        query(config, "do $$ begin perform count(*) from supabase_migrations.schema_migrations; end $$"),
    },
    {
      name: "redis",
      where: `127.0.0.1:${config.redisPort}`,
      run: async () => {
        if (!(await redisPing(config.redisPort))) throw new Error("no PING answer");
      },
    },
    {
      name: "upstash bridge",
      where: config.bridgeUrl,
      run: () =>
        expectOk(fetch(config.bridgeUrl, {
          method: "POST",
          body: '["PING"]',
          headers: { authorization: `Bearer ${config.bridgeToken}` },
        })),
    },
    { name: "gateway", where: config.apiUrl, run: () => gatewayProcess(config, "gateway") },
    { name: "gateway-2", where: config.apiUrl, run: () => gatewayProcess(config, "gateway-2") },
    {
      name: "functions",
      where: `${config.apiUrl}/functions/v1/health`,
      run: () => expectOk(fetch(`${config.apiUrl}/functions/v1/health`)),
    },
    {
      name: "realtime",
      where: `127.0.0.1:${config.realtimePort}`,
      run: () => expectOk(fetch(`http://127.0.0.1:${config.realtimePort}/api/health`)),
    },
    {
      name: "pg_net worker",
      where: "net.check_worker_is_up()",
      run: () => query(config, "select net.check_worker_is_up()"),
    },
    ...(standIns ?? await registeredStandIns()).map((standin) => {
      const url = standin.healthUrl(config);
      return { name: `stand-in ${standin.name}`, where: url, run: () => expectOk(fetch(url)) };
    }),
  ];
  return await Promise.all(checks.map(async ({ name, where, run }) => {
    try {
      await run();
      return { name, where, error: null };
    } catch (error) {
      const message = String((error as Error)?.message ?? error).split("\n").filter(Boolean).at(-1) ??
        "failed";
      return { name, where, error: message };
    }
  }));
}
