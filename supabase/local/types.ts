// Generated database types, made as `supabase gen types typescript --local` makes them: the CLI
// runs Supabase's own generator, @supabase/postgres-meta (the version its Dockerfile pins), as
// `node dist/server/server.js` with PG_META_GENERATE_TYPES=typescript against the database, for
// `public` plus the [api] schemas of config.toml. Here the npm package runs with the local node.
import { parse } from "smol-toml";
import { run } from "./postgres.ts";
import { ROOT, type StackConfig } from "./stack.ts";

/** supabase/cli pins supabase/postgres-meta:v0.96.6 (pkg/config/templates/Dockerfile). */
const POSTGRES_META_VERSION = "0.96.6";
const PREFIX = `${ROOT}/.tools/postgres-meta`;
const SERVER = `${PREFIX}/node_modules/@supabase/postgres-meta/dist/server/server.js`;

/** The committed types file. */
export const TYPES_FILE = `${ROOT}/types/database.ts`;

async function installedVersion(): Promise<string | null> {
  const manifest = `${PREFIX}/node_modules/@supabase/postgres-meta/package.json`;
  return await Deno.readTextFile(manifest).then((text) => JSON.parse(text).version, () => null);
}

async function ensurePostgresMeta(): Promise<void> {
  if (await installedVersion() === POSTGRES_META_VERSION) return;
  console.error(`installing @supabase/postgres-meta ${POSTGRES_META_VERSION} from npm`);
  await run("npm", [
    "install",
    "--silent",
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--prefix",
    PREFIX,
    `@supabase/postgres-meta@${POSTGRES_META_VERSION}`,
  ]);
}

/** `public` first, then config.toml's [api] schemas, without duplicates (as the CLI builds the list). */
export async function exposedSchemas(): Promise<string[]> {
  const config = parse(await Deno.readTextFile(`${ROOT}/supabase/config.toml`)) as {
    api?: { schemas?: string[] };
  };
  return [...new Set(["public", ...(config.api?.schemas ?? [])])];
}

export async function generateTypes(config: StackConfig): Promise<string> {
  await ensurePostgresMeta();
  const output = await new Deno.Command("node", {
    args: [SERVER],
    cwd: PREFIX,
    env: {
      PG_META_DB_URL: config.dbUrl,
      PG_CONN_TIMEOUT_SECS: "15",
      PG_QUERY_TIMEOUT_SECS: "15",
      PG_META_GENERATE_TYPES: "typescript",
      PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS: (await exposedSchemas()).join(","),
      PG_META_GENERATE_TYPES_SWIFT_ACCESS_CONTROL: "internal",
      PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS: "true",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const types = new TextDecoder().decode(output.stdout);
  if (!output.success || !types.includes("export type Database")) {
    throw new Error(`postgres-meta failed to generate types:\n${new TextDecoder().decode(output.stderr)}`);
  }
  // Exactly what the CLI writes: no post-processing. (Dated partitions would make it stale daily; tracking
  // keeps them in the unexposed schema tracking_partitions for that reason.)
  return types;
}

export async function writeTypes(config: StackConfig): Promise<void> {
  await Deno.mkdir(`${ROOT}/types`, { recursive: true });
  await Deno.writeTextFile(TYPES_FILE, await generateTypes(config));
}

/** Null when the committed file matches what the database generates now, else what to do. */
export async function staleTypes(config: StackConfig): Promise<string | null> {
  const generated = await generateTypes(config);
  const committed = await Deno.readTextFile(TYPES_FILE).catch(() => "");
  if (generated === committed) return null;
  const scratch = await Deno.makeTempFile({ prefix: "database-types-", suffix: ".ts" });
  await Deno.writeTextFile(scratch, generated);
  return `types/database.ts is stale (regenerated into ${scratch}); run ./dev types and commit it`;
}
