// PostgreSQL 15 for the local stack: a Debian cluster run by the postgres OS user (initdb refuses
// root), with pg_cron preloaded, and the routines that apply platform.sql, migrations and seeds.
import { LOCAL_DB_PASSWORD, ROOT, type StackConfig } from "./stack.ts";

export async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string> } = {},
) {
  const output = await new Deno.Command(cmd, { args, env: options.env, stdout: "piped", stderr: "piped" })
    .output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${cmd} ${args.join(" ")} failed:\n${stderr || stdout}`);
  return stdout;
}

const SERVER_SETTINGS = (config: StackConfig) =>
  `# written by supabase/local/postgres.ts
listen_addresses = '127.0.0.1'
port = ${config.dbPort}
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.timezone = 'UTC'
cron.use_background_workers = on
max_worker_processes = 32
max_connections = 300
shared_buffers = '1GB'
work_mem = '16MB'
maintenance_work_mem = '256MB'
wal_level = logical
max_wal_size = '4GB'
timezone = 'UTC'
log_timezone = 'UTC'
log_min_messages = warning
`;

async function clusterStatus(config: StackConfig): Promise<"missing" | "online" | "down"> {
  const listing = await run("pg_lsclusters", ["--no-header"]);
  const line = listing.split("\n").find((l) =>
    l.split(/\s+/)[0] === "15" && l.split(/\s+/)[1] === config.cluster
  );
  if (!line) return "missing";
  return line.split(/\s+/)[3] === "online" ? "online" : "down";
}

/**
 * The cluster's bootstrap superuser is supabase_admin, as on Supabase, and `postgres` is an
 * ordinary role with the platform's attributes (created here, shaped by platform.sql). A cluster
 * made by an earlier layout (bootstrap superuser `postgres`) is dropped and made again: its
 * postgres role cannot be demoted while extension scripts run as the bootstrap superuser.
 */
async function bootstrapIsSupabaseAdmin(config: StackConfig): Promise<boolean> {
  try {
    const name = await run("psql", [
      "-X",
      "-A",
      "-t",
      ...adminConnectionArgs(config),
      "-c",
      "select rolname from pg_authid where oid = 10",
    ], { env: clientEnv });
    return name.trim() === "supabase_admin";
  } catch (error) {
    // Only a cluster that does not know supabase_admin's password is of the old layout; any other
    // failure (the server still starting, say) must never cost a cluster.
    if (/password authentication failed|role "supabase_admin" does not exist/.test(String(error))) {
      return false;
    }
    throw error;
  }
}

async function createCluster(config: StackConfig): Promise<void> {
  // initdb reads the bootstrap superuser's password from a file the postgres OS user can read.
  const passwordFile = await Deno.makeTempFile({ prefix: "powerbase-initdb-" });
  try {
    await Deno.writeTextFile(passwordFile, `${LOCAL_DB_PASSWORD}\n`);
    await Deno.chmod(passwordFile, 0o644);
    await run("pg_createcluster", [
      "15",
      config.cluster,
      "--port",
      String(config.dbPort),
      "--start-conf",
      "manual",
      "--",
      "--username=supabase_admin",
      `--pwfile=${passwordFile}`,
      "--auth-local=peer",
      "--auth-host=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
    ]);
  } finally {
    await Deno.remove(passwordFile).catch(() => {});
  }
}

export async function ensurePostgres(config: StackConfig): Promise<void> {
  let status = await clusterStatus(config);
  if (status !== "missing") {
    if (status !== "online") await run("pg_ctlcluster", ["15", config.cluster, "start"]);
    if (!(await bootstrapIsSupabaseAdmin(config))) {
      console.log(`recreating cluster 15/${config.cluster}: its bootstrap superuser must be supabase_admin`);
      await run("pg_dropcluster", ["--stop", "15", config.cluster]);
      status = "missing";
    } else {
      status = "online";
    }
  }
  if (status === "missing") {
    await createCluster(config);
    status = "down";
  }
  const confPath = `/etc/postgresql/15/${config.cluster}/conf.d/powerbase.conf`;
  const wanted = SERVER_SETTINGS(config);
  const current = await Deno.readTextFile(confPath).catch(() => "");
  if (current !== wanted) {
    await Deno.writeTextFile(confPath, wanted);
    if (status === "online") await run("pg_ctlcluster", ["15", config.cluster, "restart"]);
  }
  if (status !== "online") await run("pg_ctlcluster", ["15", config.cluster, "start"]);
  await adminQuery(
    config,
    `do $$ begin
       if not exists (select from pg_roles where rolname = 'postgres') then
         create role postgres nosuperuser createdb createrole login replication bypassrls;
       end if;
     end $$;
     alter role postgres with password '${LOCAL_DB_PASSWORD}';
     alter database postgres owner to postgres;`,
  );
}

/**
 * Restarts the cluster, for its pg_cron scheduler. Every database rebuild drops the pg_cron extension and
 * creates it again while Debian's pg_cron 1.4 scheduler runs; afterwards the scheduler can keep what it
 * had cached about the dropped cron.job and run no job at all (seen on this stack: 16 minutes and three
 * rebuilds without one run, so rollups, pipelines and the outbox stood still; jobs ran at once after a
 * restart). Whether it happens depends on when the scheduler reloads during the wipe, so the rebuild
 * restarts every time. Ending the scheduler alone does not do: it exits cleanly on SIGTERM, and the
 * postmaster does not start a background worker again that exited with 0.
 */
export async function restartPostgres(config: StackConfig): Promise<void> {
  await run("pg_ctlcluster", ["15", config.cluster, "restart", "-m", "fast"]);
}

export async function stopPostgres(config: StackConfig): Promise<void> {
  if (await clusterStatus(config) === "online") {
    await run("pg_ctlcluster", ["15", config.cluster, "stop", "-m", "fast"]);
  }
}

/** Environment for every libpq client of the local database (psql, pg_prove). */
export const clientEnv = { PGPASSWORD: LOCAL_DB_PASSWORD, PGOPTIONS: "--client-min-messages=warning" };

/**
 * Where and as whom libpq clients connect: the local stack's database as postgres, the role
 * migrations, seeds and tests run as (not a superuser, as on Supabase).
 */
export function connectionArgs(config: StackConfig): string[] {
  return ["-h", "127.0.0.1", "-p", String(config.dbPort), "-U", "postgres", "-d", "postgres"];
}

/** As supabase_admin, for what the platform itself does: platform.sql, GoTrue, wiping the database. */
export function adminConnectionArgs(config: StackConfig): string[] {
  return ["-h", "127.0.0.1", "-p", String(config.dbPort), "-U", "supabase_admin", "-d", "postgres"];
}

export function psql(config: StackConfig, args: string[]): Promise<string> {
  return run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...connectionArgs(config), ...args], {
    env: clientEnv,
  });
}

export function adminPsql(config: StackConfig, args: string[]): Promise<string> {
  return run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...adminConnectionArgs(config), ...args], {
    env: clientEnv,
  });
}

export const query = (config: StackConfig, sql: string) => psql(config, ["-A", "-t", "-c", sql]);
export const adminQuery = (config: StackConfig, sql: string) => adminPsql(config, ["-A", "-t", "-c", sql]);

/**
 * Ends every other session on the database: pg_cron jobs already running and clients of a stack left
 * behind (a cluster kept from an earlier run starts its jobs at once). Each can hold locks the drops
 * below need, and in an order that deadlocks with them. The pg_cron launcher stays: it starts
 * nothing once the jobs are unscheduled.
 */
async function endOtherSessions(config: StackConfig): Promise<void> {
  await adminQuery(
    config,
    `select count(pg_terminate_backend(pid, 5000)) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
        and backend_type <> 'pg_cron launcher'`,
  );
}

const WIPE_SQL = `
    set lock_timeout = '10s';
    do $$
    declare item record;
    begin
      for item in select extname from pg_extension where extname <> 'plpgsql' loop
        execute format('drop extension if exists %I cascade', item.extname);
      end loop;
      for item in select nspname from pg_namespace
                  where nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
                    and nspname not like 'pg\\_temp\\_%' and nspname not like 'pg\\_toast\\_temp\\_%' loop
        execute format('drop schema if exists %I cascade', item.nspname);
      end loop;
    end
    $$;
    drop publication if exists supabase_realtime;
    -- Database-wide default privileges outlive the schemas: put back PostgreSQL's own defaults so a
    -- rebuilt database starts exactly like a fresh one.
    alter default privileges for role postgres grant execute on functions to public;
    alter default privileges for role postgres grant usage on types to public;
    alter default privileges for role supabase_admin grant execute on functions to public;
    alter default privileges for role supabase_admin grant usage on types to public;
    drop event trigger if exists issue_pg_cron_access;
    drop event trigger if exists issue_pg_net_access;
    drop event trigger if exists issue_local_privileged_extension_owner;
    create schema public authorization pg_database_owner;
    grant usage on schema public to public;
  `;

/** Drops everything a previous run created in the database (extensions, schemas, publication). */
export async function wipeDatabase(config: StackConfig): Promise<void> {
  await adminQuery(config, "select cron.unschedule(jobid) from cron.job").catch(() => {});
  // A session that slipped in between (a client reconnecting) can still deadlock with the drops;
  // the wipe is one transaction, so trying again after ending it starts from a clean slate.
  for (let attempt = 1;; attempt++) {
    await endOtherSessions(config);
    try {
      await adminPsql(config, ["-c", WIPE_SQL]);
      return;
    } catch (error) {
      const retryable = /deadlock detected|lock timeout/.test((error as Error).message);
      if (!retryable || attempt === 3) throw error;
    }
  }
}

/**
 * GoTrue's migrations (auth_migrations.sql), applied as GoTrue applies them when it boots: the
 * pending ones in version order, each in its own transaction as supabase_auth_admin with
 * search_path auth, recorded in auth.schema_migrations.
 */
export async function applyAuthMigrations(config: StackConfig): Promise<number> {
  const text = await Deno.readTextFile(`${ROOT}/supabase/local/auth_migrations.sql`);
  const sections = text.split(/^-- gotrue migration (\d+)$/m);
  const applied = new Set(
    (await adminQuery(config, "select version from auth.schema_migrations")).split("\n").map((v) => v.trim()),
  );
  let script = "";
  let count = 0;
  for (let i = 1; i < sections.length; i += 2) {
    const version = sections[i];
    if (applied.has(version)) continue;
    count++;
    script +=
      `begin;\nset local role supabase_auth_admin;\nset local search_path = auth;\n${sections[i + 1]}\n` +
      `insert into auth.schema_migrations (version) values ('${version}');\ncommit;\n`;
  }
  if (count === 0) return 0;
  const file = await Deno.makeTempFile({ prefix: "powerbase-gotrue-", suffix: ".sql" });
  try {
    await Deno.writeTextFile(file, script);
    await adminPsql(config, ["-f", file]);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
  return count;
}

export interface Migration {
  version: string;
  name: string;
  path: string;
}

export async function migrationFiles(modules: Set<string> | null = null): Promise<Migration[]> {
  const files: Migration[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/migrations`)) {
    const match = entry.name.match(/^(\d{14})_(([a-z0-9]+)-.+)\.sql$/);
    if (!entry.isFile || !match || (modules && !modules.has(match[3]))) continue;
    files.push({ version: match[1], name: match[2], path: `${ROOT}/migrations/${entry.name}` });
  }
  return files.sort((a, b) => a.version.localeCompare(b.version));
}

export async function appliedVersions(config: StackConfig): Promise<Set<string> | null> {
  const exists =
    (await query(config, "select to_regclass('supabase_migrations.schema_migrations') is not null")).trim();
  if (exists !== "t") return null;
  const rows = await query(config, "select version from supabase_migrations.schema_migrations");
  return new Set(rows.split("\n").map((v) => v.trim()).filter(Boolean));
}

/** Applies each pending migration in its own transaction and records it as `supabase db push` does. */
export async function applyMigrations(config: StackConfig, applied: Set<string>): Promise<Migration[]> {
  const pending = (await migrationFiles(config.modules)).filter((m) => !applied.has(m.version));
  for (const migration of pending) {
    const statements = await Deno.readTextFile(migration.path);
    const record = `insert into supabase_migrations.schema_migrations (version, name, statements)
      values ('${migration.version}', '${
      migration.name.replaceAll("'", "''")
    }', array[$pb_statements$${statements}$pb_statements$])`;
    // The record goes through a file, not -c: a migration of generated reference data (the Texas
    // geography, 350 kB) is longer than Linux allows one command-line argument to be (128 kB).
    const recordFile = await Deno.makeTempFile({ prefix: "migration-record-", suffix: ".sql" });
    try {
      await Deno.writeTextFile(recordFile, record);
      await psql(config, ["--single-transaction", "-f", migration.path, "-f", recordFile]);
    } catch (error) {
      throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`);
    } finally {
      await Deno.remove(recordFile);
    }
  }
  return pending;
}

/** Seed files in load order; like migrations, each name carries its module (`20_leads-reference.sql`). */
export async function seedFiles(modules: Set<string> | null = null): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/seed`)) {
    const module = entry.name.match(/^\d+_([a-z0-9]+)-.+\.sql$/)?.[1];
    if (!entry.isFile || !module || (modules && !modules.has(module))) continue;
    files.push(`${ROOT}/seed/${entry.name}`);
  }
  return files.sort();
}

export async function applySeeds(config: StackConfig): Promise<string[]> {
  const files = await seedFiles(config.modules);
  for (const file of files) await psql(config, ["--single-transaction", "-f", file]);
  return files;
}
