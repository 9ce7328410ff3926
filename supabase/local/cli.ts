// deno task start | stop | reset | status | test — the Docker-free local Supabase stack.
import postgres from "postgres";
import {
  appliedVersions,
  applyMigrations,
  applySeeds,
  ensurePostgres,
  psql,
  run,
  stopPostgres,
  wipeDatabase,
} from "./postgres.ts";
import { RespConnection } from "./resp.ts";
import { functionEntries } from "./gateway.ts";
import { anonKey, ROOT, serviceRoleKey, type StackConfig, stackConfig } from "./stack.ts";
import { runAllTests } from "./test_runner.ts";
import { mintUserToken } from "./tokens.ts";

const config = stackConfig();
const say = (msg: string) => console.log(msg);

async function redisPing(port: number): Promise<boolean> {
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

async function ensureRedis(config: StackConfig): Promise<void> {
  if (await redisPing(config.redisPort)) return;
  await Deno.mkdir(config.stateDir, { recursive: true });
  await run("redis-server", [
    "--port",
    String(config.redisPort),
    "--bind",
    "127.0.0.1",
    "--daemonize",
    "yes",
    "--pidfile",
    `${config.stateDir}/redis.pid`,
    "--logfile",
    `${config.stateDir}/redis.log`,
    "--dir",
    config.stateDir,
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  for (let i = 0; i < 50 && !(await redisPing(config.redisPort)); i++) await delay(100);
}

async function stopRedis(config: StackConfig): Promise<void> {
  const connection = await RespConnection.open("127.0.0.1", config.redisPort).catch(() => null);
  if (!connection) return;
  await connection.send([["SHUTDOWN", "NOSAVE"]]).catch(() => {});
  connection.close();
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function terminate(pid: number): Promise<void> {
  if (!(pid > 0 && isAlive(pid))) return;
  Deno.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && isAlive(pid); i++) await delay(100);
  if (isAlive(pid)) Deno.kill(pid, "SIGKILL");
}

// Background processes: the Upstash bridge (a stand-in for a remote service, so it does not share
// the functions' JavaScript thread) and two gateway processes sharing the API port (SO_REUSEPORT),
// as Supabase's edge runtime serves a function from several isolates at once; the first also runs
// the pg_net worker.
const ROLES = ["bridge", "resend", "gateway", "gateway-2"] as const;
type Role = typeof ROLES[number];
const pidFile = (role: Role) => `${config.stateDir}/${role}.pid`;
const logFile = (role: Role) => `${config.stateDir}/${role}.log`;

async function stopServe(): Promise<void> {
  for (const role of ROLES) {
    await terminate(Number(await Deno.readTextFile(pidFile(role)).catch(() => "0")));
    await Deno.remove(pidFile(role)).catch(() => {});
  }
}

/** Frees the stack's ports from processes left behind by another checkout (a stale pid file). */
async function freePorts(): Promise<void> {
  for (const port of [config.apiPort, config.bridgePort, config.resendPort]) {
    const listing = await run("ss", ["-ltnpH", `sport = :${port}`]).catch(() => "");
    for (const match of listing.matchAll(/pid=(\d+)/g)) {
      const pid = Number(match[1]);
      const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
      if (!cmdline.includes("supabase/local/serve.ts")) {
        throw new Error(`port ${port} is taken by another program (pid ${pid}); stop it or use PB_INSTANCE`);
      }
      await terminate(pid);
    }
  }
}

async function spawnBackground(role: Role): Promise<number> {
  // Load tests hold thousands of sockets at once: lift the descriptor limit as far as allowed.
  const log = logFile(role);
  const script =
    `cd "${ROOT}" && { ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; }; ` +
    `nohup "${Deno.execPath()}" run -A --unstable-net supabase/local/serve.ts ${role} >> "${log}" 2>&1 & echo $!`;
  const pid = Number(
    (await run("sh", ["-c", script], { env: { PB_INSTANCE: String(config.instance) } })).trim(),
  );
  await Deno.writeTextFile(pidFile(role), String(pid));
  return pid;
}

async function answers(url: string, init: RequestInit = {}): Promise<boolean> {
  const response = await fetch(url, init).catch(() => null);
  await response?.body?.cancel();
  return response?.ok ?? false;
}

const logSize = (role: Role) => Deno.stat(logFile(role)).then((info) => info.size, () => 0);

async function readLogFrom(role: Role, offset: number): Promise<string> {
  const text = await Deno.readFile(logFile(role)).catch(() => new Uint8Array());
  return new TextDecoder().decode(text.subarray(offset));
}

async function waitFor(role: Role, pid: number, ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await ready()) return;
    if (!isAlive(pid)) break;
    await delay(200);
  }
  const tail = (await Deno.readTextFile(logFile(role)).catch(() => "")).split("\n").slice(-30).join("\n");
  throw new Error(`the ${role} did not come up; last lines of ${logFile(role)}:\n${tail}`);
}

/** Fetches every function's npm dependencies up front, so a first start never races the download. */
async function cacheFunctionDependencies(): Promise<void> {
  const apps = (await functionEntries()).map((entry) => entry.appUrl.pathname);
  await run(Deno.execPath(), ["cache", "supabase/local/serve.ts", ...apps]);
}

/**
 * Stops this checkout's background processes and any another checkout left on this instance's
 * ports. Before the database is touched: their clients (the pg_net worker among them) hold sessions
 * and locks on it.
 */
async function clearServe(): Promise<void> {
  await stopServe();
  await freePorts();
}

async function startServe(): Promise<void> {
  await cacheFunctionDependencies();
  await Deno.mkdir(config.stateDir, { recursive: true });
  const bridgePid = await spawnBackground("bridge");
  await waitFor("bridge", bridgePid, () =>
    answers(config.bridgeUrl, {
      method: "POST",
      body: '["PING"]',
      headers: { authorization: `Bearer ${config.bridgeToken}` },
    }));
  const resendPid = await spawnBackground("resend");
  await waitFor("resend", resendPid, () => answers(`${config.resendUrl}/api/v1/messages`));
  await waitFor(
    "gateway",
    await spawnBackground("gateway"),
    () => answers(`${config.apiUrl}/functions/v1/health`),
  );
  // The second gateway shares the port, which the first already answers: only its own log shows it
  // listening.
  const logStart = await logSize("gateway-2");
  await waitFor(
    "gateway-2",
    await spawnBackground("gateway-2"),
    async () => (await readLogFrom("gateway-2", logStart)).includes("functions gateway on"),
  );
}

/** Vault secrets that pg_cron jobs read to call functions through pg_net (never hard-coded). */
async function storeVaultSecrets(): Promise<void> {
  const key = await serviceRoleKey();
  await psql(config, [
    "-c",
    `
    delete from vault.secrets where name in ('project_url', 'service_role_key');
    select vault.create_secret('${config.apiUrl}', 'project_url', 'Base URL for pg_net calls to functions');
    select vault.create_secret('${key}', 'service_role_key', 'Bearer token for pipeline calls');
  `,
  ]);
}

async function rebuildDatabase(): Promise<void> {
  await wipeDatabase(config);
  await psql(config, ["--single-transaction", "-f", `${ROOT}/supabase/local/platform.sql`]);
  const migrations = await applyMigrations(config, new Set());
  const seeds = await applySeeds(config);
  await storeVaultSecrets();
  say(`database rebuilt: platform.sql, ${migrations.length} migrations, ${seeds.length} seed files`);
}

async function flushRedis(): Promise<void> {
  const connection = await RespConnection.open("127.0.0.1", config.redisPort);
  await connection.send([["FLUSHALL"]]);
  connection.close();
}

const DEV_USERS = [
  ["admin", "00000000-0000-4000-8000-00000000ad01"],
  ["analyst", "00000000-0000-4000-8000-00000000a501"],
  ["sales", "00000000-0000-4000-8000-000000005a01"],
  ["support", "00000000-0000-4000-8000-000000005b01"],
  ["customer", "00000000-0000-4000-8000-00000000c001"],
] as const;

async function printSummary(): Promise<void> {
  const sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} });
  try {
    say("");
    say("powerbase local stack is running");
    say(
      `  Functions   ${config.apiUrl}/functions/v1/<name>   (health: ${config.apiUrl}/functions/v1/health)`,
    );
    say(`  JWKS        ${config.apiUrl}/auth/v1/.well-known/jwks.json`);
    say(`  Database    ${config.dbUrl}`);
    say(
      `  Redis REST  ${config.bridgeUrl}   token: ${config.bridgeToken}   (redis://127.0.0.1:${config.redisPort})`,
    );
    say(
      `  Mail        ${config.resendUrl}   (Resend stand-in: POST /emails; inbox at /, JSON at /api/v1/messages)`,
    );
    say(
      `  Logs        ${config.stateDir}/gateway.log, ${config.stateDir}/bridge.log, ${config.stateDir}/resend.log`,
    );
    say("");
    say("Dev tokens (Authorization: Bearer <token>); user tokens are valid for 7 days:");
    say(`  anon          ${await anonKey()}`);
    say(`  service_role  ${await serviceRoleKey()}`);
    for (const [label, id] of DEV_USERS) {
      say(`  ${label.padEnd(13)} ${await mintUserToken(sql, id, { expiresIn: 7 * 24 * 3600 }, config)}`);
    }
  } finally {
    await sql.end();
  }
}

async function start(): Promise<void> {
  await ensurePostgres(config);
  await ensureRedis(config);
  await clearServe();
  const applied = await appliedVersions(config);
  if (applied === null) {
    await rebuildDatabase();
  } else {
    await psql(config, ["--single-transaction", "-f", `${ROOT}/supabase/local/platform.sql`]);
    const pending = await applyMigrations(config, applied);
    say(`database up to date (${pending.length} new migrations applied)`);
  }
  await startServe();
  await printSummary();
}

async function reset(): Promise<void> {
  await ensurePostgres(config);
  await ensureRedis(config);
  await clearServe();
  await rebuildDatabase();
  await flushRedis();
  await startServe();
}

async function stop(): Promise<void> {
  await stopServe();
  await stopRedis(config);
  await stopPostgres(config);
  say("stopped");
}

async function status(): Promise<void> {
  const gateway = await fetch(`${config.apiUrl}/functions/v1/health`).then((r) => r.ok).catch(() => false);
  say(`gateway  ${config.apiUrl}  ${gateway ? "up" : "down"}`);
  say(`redis    127.0.0.1:${config.redisPort}  ${(await redisPing(config.redisPort)) ? "up" : "down"}`);
  const db = await psql(config, ["-c", "select 1"]).then(() => true).catch(() => false);
  say(`postgres 127.0.0.1:${config.dbPort}  ${db ? "up" : "down"}`);
}

const commands: Record<string, () => Promise<unknown>> = {
  start,
  stop,
  reset: async () => {
    await reset();
    await printSummary();
  },
  status,
  test: async () => {
    await reset();
    const { failed } = await runAllTests(config, Deno.args.slice(1));
    Deno.exit(failed > 0 ? 1 : 0);
  },
};

const command = commands[Deno.args[0] ?? "start"];
if (!command) {
  console.error(`usage: deno task start|stop|reset|status|test`);
  Deno.exit(2);
}
try {
  await command();
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  Deno.exit(1);
}
