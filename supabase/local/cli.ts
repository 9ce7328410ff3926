// deno task start | stop | reset | status | test — the Docker-free local Supabase stack.
import postgres from "postgres";
import {
  adminPsql,
  appliedVersions,
  applyAuthMigrations,
  applyMigrations,
  applySeeds,
  ensurePostgres,
  migrationFiles,
  psql,
  restartPostgres,
  run,
  stopPostgres,
  wipeDatabase,
} from "./postgres.ts";
import { RespConnection } from "./resp.ts";
import { functionEntries } from "./gateway.ts";
import {
  anonKey,
  LOCAL_BUYPOWER_API_KEY,
  localApiKeys,
  ROOT,
  serviceRoleKey,
  type StackConfig,
  stackConfig,
} from "./stack.ts";
import { runAllTests } from "./test_runner.ts";
import { TYPES_FILE, writeTypes } from "./types.ts";
import {
  checkStack,
  isAlive,
  logFileOf,
  logFiles,
  pidFileOf,
  redisPing,
  type Role,
  ROLES,
} from "./status.ts";
import { mintUserToken } from "./tokens.ts";
import {
  IP_COUNTRY_PACKAGE,
  ipCountryFiles,
  loadIpCountryRanges,
} from "../../shared/commerce/ip-countries.ts";

const config = stackConfig();
const say = (msg: string) => console.log(msg);

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
// The local Realtime is its own process too (supabase/local/realtime/main.ts), proxied by the gateways.
// Provider stand-ins (supabase/local/standins/<name>.ts) run beside them as their own processes.
const STANDIN_PROCESSES = ["buypower"] as const;
type Process = Role | typeof STANDIN_PROCESSES[number];
const PROCESSES: Process[] = [...ROLES, ...STANDIN_PROCESSES];
const isStandIn = (role: Process): role is typeof STANDIN_PROCESSES[number] =>
  (STANDIN_PROCESSES as readonly string[]).includes(role);
const pidFile = (role: Process) =>
  isStandIn(role) ? `${config.stateDir}/${role}.pid` : pidFileOf(config, role);
const logFile = (role: Process) =>
  isStandIn(role) ? `${config.stateDir}/${role}.log` : logFileOf(config, role);

async function stopServe(): Promise<void> {
  for (const role of PROCESSES) {
    await terminate(Number(await Deno.readTextFile(pidFile(role)).catch(() => "0")));
    await Deno.remove(pidFile(role)).catch(() => {});
  }
}

/** The ports of this stack's own background processes (PostgreSQL and Redis manage theirs). */
const SERVED_PORTS = (["api", "bridge", "realtime", "resend", "buypower", "stripe", "paystack"] as const)
  .map((name) => config.ports[name]);

/** Frees the stack's ports from processes left behind by another checkout (a stale pid file). */
async function freePorts(): Promise<void> {
  for (const port of SERVED_PORTS) {
    const listing = await run("ss", ["-ltnpH", `sport = :${port}`]).catch(() => "");
    for (const match of listing.matchAll(/pid=(\d+)/g)) {
      const pid = Number(match[1]);
      const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
      const ours = ["supabase/local/serve.ts", REALTIME_SCRIPT, "supabase/local/standins/"];
      if (!ours.some((script) => cmdline.includes(script))) {
        throw new Error(`port ${port} is taken by another program (pid ${pid}); stop it or use PB_INSTANCE`);
      }
      await terminate(pid);
    }
  }
}

const REALTIME_SCRIPT = "supabase/local/realtime/main.ts";

async function spawnBackground(role: Process): Promise<number> {
  // Load tests hold thousands of sockets at once: lift the descriptor limit as far as allowed.
  const log = logFile(role);
  const script =
    `cd "${ROOT}" && { ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; }; ` +
    `nohup "${Deno.execPath()}" run -A --unstable-net ${
      role === "realtime"
        ? REALTIME_SCRIPT
        : isStandIn(role)
        ? `supabase/local/standins/${role}.ts`
        : `supabase/local/serve.ts ${role}`
    } >> "${log}" 2>&1 & echo $!`;
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

const logSize = (role: Process) => Deno.stat(logFile(role)).then((info) => info.size, () => 0);

async function readLogFrom(role: Process, offset: number): Promise<string> {
  const text = await Deno.readFile(logFile(role)).catch(() => new Uint8Array());
  return new TextDecoder().decode(text.subarray(offset));
}

async function waitFor(role: Process, pid: number, ready: () => Promise<boolean>): Promise<void> {
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
  await run(Deno.execPath(), ["cache", "supabase/local/serve.ts", REALTIME_SCRIPT, ...apps]);
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
  // Provider stand-ins first: functions call them from their first request on.
  const buypowerPid = await spawnBackground("buypower");
  await waitFor(
    "buypower",
    buypowerPid,
    () => answers(`${config.buypowerUrl}/health`),
  );
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
    "realtime",
    await spawnBackground("realtime"),
    () => answers(`http://127.0.0.1:${config.realtimePort}/api/health`),
  );
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
  // The new secret key, as on a project after the legacy JWT keys are gone (pipeline verifies it).
  const key = (await localApiKeys(config)).secret;
  await psql(config, [
    "-c",
    `
    delete from vault.secrets where name in ('project_url', 'service_role_key');
    select vault.create_secret('${config.apiUrl}', 'project_url', 'Base URL for pg_net calls to functions');
    select vault.create_secret('${key}', 'service_role_key', 'Bearer token for pipeline calls');
  `,
  ]);
}

/**
 * What the platform has before the project's migrations: platform.sql (as supabase_admin) and
 * GoTrue's migrations (as supabase_auth_admin, as the auth server applies them when it boots).
 */
async function applyPlatform(): Promise<void> {
  await adminPsql(config, ["--single-transaction", "-f", `${ROOT}/supabase/local/platform.sql`]);
  await applyAuthMigrations(config);
}

/**
 * On a fresh Supabase project pg_net exists only once a migration creates it. Migrations that call
 * net.http_post without creating it would stop `supabase db push` there; locally the extension
 * is created for them, loudly, so the stack still starts while the migration is being fixed.
 */
async function createPgNetForMigrationsThatDoNot(): Promise<void> {
  for (const migration of await migrationFiles(config.modules)) {
    const text = await Deno.readTextFile(migration.path);
    if (/create\s+extension\s+(if\s+not\s+exists\s+)?"?pg_net\b/i.test(text)) return;
  }
  console.warn(
    "warning: no migration says `create extension if not exists pg_net`; a fresh Supabase project " +
      "would stop at the first one that calls net.http_post. Created locally for them.",
  );
  await psql(config, ["-c", "create extension if not exists pg_net with schema extensions"]);
}

async function rebuildDatabase(): Promise<void> {
  await wipeDatabase(config);
  await applyPlatform();
  await createPgNetForMigrationsThatDoNot();
  const migrations = await applyMigrations(config, new Set());
  const seeds = await applySeeds(config);
  await storeVaultSecrets();
  // The pg_cron scheduler runs nothing of the extension the rebuild created until the server restarts.
  await restartPostgres(config);
  say(`database rebuilt: platform.sql, ${migrations.length} migrations, ${seeds.length} seed files`);
  await loadReferenceRanges();
}

/** Commerce's IP-country ranges: reference data too large for a migration (README, Deploy). */
async function loadReferenceRanges(): Promise<void> {
  const sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const report = await loadIpCountryRanges(sql, await ipCountryFiles(`${ROOT}/.tools/data`));
    if (!report.skipped) say(`loaded ${report.loaded} ip country ranges (${IP_COUNTRY_PACKAGE})`);
  } finally {
    await sql.end();
  }
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

/** The file `./dev start` writes for `source`: every variable the README's and docs' examples use. */
const envFile = () => `${config.stateDir}/env.sh`;

async function printSummary(): Promise<void> {
  const sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const tokens: Array<[string, string]> = [];
    for (const [label, id] of DEV_USERS) {
      tokens.push([label, await mintUserToken(sql, id, { expiresIn: 7 * 24 * 3600 }, config)]);
    }
    const keys = await localApiKeys(config);
    const variables: Array<[string, string]> = [
      ["SUPABASE_URL", config.apiUrl],
      ["FUNCTIONS_URL", `${config.apiUrl}/functions/v1`],
      ["SUPABASE_DB_URL", config.dbUrl],
      ["ANON_KEY", await anonKey()],
      ["SERVICE_ROLE_KEY", await serviceRoleKey()],
      ["SUPABASE_ANON_KEY", await anonKey()],
      ["SUPABASE_SERVICE_ROLE_KEY", await serviceRoleKey()],
      ["PUBLISHABLE_KEY", keys.publishable],
      ["SECRET_KEY", keys.secret],
      ["UPSTASH_REDIS_REST_URL", config.bridgeUrl],
      ["UPSTASH_REDIS_REST_TOKEN", config.bridgeToken],
      ...tokens.map(([label, token]): [string, string] => [`${label.toUpperCase()}_TOKEN`, token]),
    ];
    await Deno.writeTextFile(
      envFile(),
      `# written by ./dev start (PB_INSTANCE=${config.instance}); user tokens expire in 7 days\n` +
        variables.map(([name, value]) => `export ${name}='${value}'`).join("\n") + "\n",
    );
    say("");
    say("powerbase local stack is running");
    say(
      `  Functions   ${config.apiUrl}/functions/v1/<name>   (health: ${config.apiUrl}/functions/v1/health)`,
    );
    say(`  JWKS        ${config.apiUrl}/auth/v1/.well-known/jwks.json`);
    say(`  Realtime    ${config.apiUrl.replace("http", "ws")}/realtime/v1/websocket`);
    say(`  Dashboard   ${config.apiUrl}/dashboard/   (sign in with a dev token below)`);
    say(`  Database    ${config.dbUrl}`);
    say(
      `  Redis REST  ${config.bridgeUrl}   token: ${config.bridgeToken}   (redis://127.0.0.1:${config.redisPort})`,
    );
    say(`  BuyPower    ${config.buypowerUrl}/v2   (sandbox stand-in)   key: ${LOCAL_BUYPOWER_API_KEY}`);
    say(`  Stripe      ${config.stripeUrl}   Paystack  ${config.paystackUrl}   (payment stand-ins)`);
    say(
      `  Mail        ${config.resendUrl}   (Resend stand-in: POST /emails; inbox at /, JSON at /api/v1/messages)`,
    );
    say(`  Logs        ${[...logFiles(config), ...STANDIN_PROCESSES.map(logFile)].join(", ")}`);
    say("");
    say("Dev tokens (Authorization: Bearer <token>); user tokens are valid for 7 days:");
    say(`  anon          ${await anonKey()}`);
    say(`  service_role  ${await serviceRoleKey()}`);
    for (const [label, token] of tokens) say(`  ${label.padEnd(13)} ${token}`);
    say("API keys (new format; apikey header or Authorization: Bearer):");
    say(`  publishable   ${keys.publishable}`);
    say(`  secret        ${keys.secret}`);
    say("");
    say("Next:");
    say(`  source ${envFile()}   # exports ${variables.map(([name]) => name).join(", ")}`);
    say(`  curl -s "$FUNCTIONS_URL/health/status" -H "Authorization: Bearer $SERVICE_ROLE_KEY"`);
    say(
      `  ${
        config.instance ? `PB_INSTANCE=${config.instance} ` : ""
      }./dev status   # what is up, what is down`,
    );
    say("  the README's Quick start and docs/api/*.md: every curl example runs as written once sourced");
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
    await applyPlatform();
    await createPgNetForMigrationsThatDoNot();
    const pending = await applyMigrations(config, applied).catch((error: Error) => {
      // A database built from another checkout's migrations (another branch on the same instance, or
      // a migration edited in place since) cannot always take this one's on top; a rebuild can.
      const reset = `${config.instance ? `PB_INSTANCE=${config.instance} ` : ""}./dev reset`;
      throw new Error(
        `${error.message}\nif the database was built from other migrations than this checkout's ` +
          `(another branch, or a migration edited since), ${reset} rebuilds it (dropping its data)`,
      );
    });
    say(`database up to date (${pending.length} new migrations applied)`);
    await loadReferenceRanges();
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

/** Prints what `checkStack` finds, one line per part; exits non-zero when anything is down. */
async function status(): Promise<void> {
  const results = await checkStack(config);
  const width = Math.max(...results.map((r) => r.name.length)) + 1;
  for (const { name, where, error } of results) {
    say(`${name.padEnd(width)} ${(error ? "down" : "up").padEnd(5)} ${where}${error ? `  (${error})` : ""}`);
  }
  const down = results.filter((r) => r.error).map((r) => r.name);
  if (down.length) {
    say(`down: ${down.join(", ")}; logs: ${logFiles(config).join(", ")}`);
    Deno.exit(1);
  }
}

const commands: Record<string, () => Promise<unknown>> = {
  start,
  stop,
  reset: async () => {
    await reset();
    await printSummary();
  },
  status,
  types: async () => {
    await writeTypes(config);
    say(
      `wrote ${TYPES_FILE.slice(ROOT.length + 1)} (supabase gen types typescript, from the running database)`,
    );
  },
  test: async () => {
    // The harness stands in for a trusted proxy in front of the gateway, so tests can simulate many
    // client addresses (X-Forwarded-For); the functions trust one more hop than by default.
    Deno.env.set("PB_TRUSTED_PROXY_HOPS", Deno.env.get("PB_TRUSTED_PROXY_HOPS") ?? "2");
    await reset();
    const { failed } = await runAllTests(config, Deno.args.slice(1));
    Deno.exit(failed > 0 ? 1 : 0);
  },
};

const command = commands[Deno.args[0] ?? "start"];
if (!command) {
  console.error(`usage: deno task start|stop|reset|status|types|test`);
  Deno.exit(2);
}
try {
  await command();
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  Deno.exit(1);
}
