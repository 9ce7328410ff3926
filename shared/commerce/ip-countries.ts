// Loads commerce.ip_country_ranges (the IP-country lookup of the fraud rule "billing country vs IP
// country") from the npm data set @ip-location-db/geo-whois-asn-country (CSV `start,end,country`,
// inclusive ranges; CC BY 4.0 by the NRO). Set-based: both CSVs are streamed with COPY into a staging
// table and swapped into place in one transaction, so a lookup never sees a half-loaded table, and
// special-purpose blocks the data set files under a country are left out. Nothing is fetched at run
// time: the package comes from the npm registry through npm itself when the loader runs.
//
//   deno task ip-countries [--force] [--db-url postgresql://...]   (default: SUPABASE_DB_URL)
//
// `./dev start` runs it for the local stack; on a real project run it once after `supabase db push`
// and again when the pinned data version changes (README, Deploy).
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";

/** The data set, pinned: a new version is a deliberate change, reviewed like code. */
export const IP_COUNTRY_PACKAGE = "@ip-location-db/geo-whois-asn-country@2.3.2026061719";
const FILES = ["geo-whois-asn-country-ipv4.csv", "geo-whois-asn-country-ipv6.csv"];

/** The package's CSVs, unpacked once into `cacheDir` with `npm pack` (the registry's own client). */
export async function ipCountryFiles(cacheDir: string): Promise<string[]> {
  const dir = `${cacheDir}/${IP_COUNTRY_PACKAGE.replace(/[@/]/g, "_")}`;
  const paths = FILES.map((file) => `${dir}/package/${file}`);
  if ((await Promise.all(paths.map(exists))).every(Boolean)) return paths;
  await Deno.mkdir(dir, { recursive: true });
  const packed = await run("npm", ["pack", "--silent", IP_COUNTRY_PACKAGE], dir);
  const tarball = packed.trim().split("\n").pop()!;
  await run("tar", ["-xzf", tarball, ...FILES.map((file) => `package/${file}`)], dir);
  await Deno.remove(`${dir}/${tarball}`);
  return paths;
}

export interface LoadReport {
  loaded: number;
  skipped: boolean;
}

/** Replaces the ranges with the files' rows in one transaction; skips when loaded unless forced. */
export async function loadIpCountryRanges(
  sql: postgres.Sql,
  files: string[],
  options: { force?: boolean } = {},
): Promise<LoadReport> {
  if (!options.force) {
    const [present] = await sql`select exists (select 1 from commerce.ip_country_ranges) as loaded`;
    if (present.loaded) return { loaded: 0, skipped: true };
  }
  return await sql.begin(async (tx) => {
    await tx`set local jit = off`;
    // Typed staging: COPY parses each address once.
    await tx`create temp table ip_country_staging (range_start inet, range_end inet, country text) on commit drop`;
    for (const file of files) {
      const writable = await tx`copy ip_country_staging from stdin with (format csv)`.writable();
      await pipeline(createReadStream(file), writable);
    }
    await tx`truncate commerce.ip_country_ranges`;
    // The data set repeats some starts: the first one wins.
    const inserted = await tx`
      insert into commerce.ip_country_ranges (range_start, range_end, country)
      select distinct on (s.range_start) s.range_start, s.range_end, upper(s.country)
      from ip_country_staging s where s.country ~* '^[a-z]{2}$'
      order by s.range_start, s.range_end`;
    // Rows starting in IANA's special-purpose blocks go (the data set files 192.168.0.0/16 under AU):
    // one index range scan per block, not a comparison per row and block.
    const dropped = await tx`
      delete from commerce.ip_country_ranges r
      using private.commerce_special_purpose_networks() n
      where r.range_start >= host(network(n))::inet and r.range_start <= host(broadcast(n))::inet`;
    await tx`analyze commerce.ip_country_ranges`;
    return { loaded: inserted.count - dropped.count, skipped: false };
  }) as LoadReport;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

if (import.meta.main) {
  const args = [...Deno.args];
  const force = args.includes("--force");
  const urlAt = args.indexOf("--db-url");
  const dbUrl = urlAt >= 0 ? args[urlAt + 1] : Deno.env.get("SUPABASE_DB_URL");
  if (!dbUrl) {
    console.error("usage: deno task ip-countries [--force] [--db-url postgresql://...] (or SUPABASE_DB_URL)");
    Deno.exit(2);
  }
  const cacheDir = Deno.env.get("PB_DATA_CACHE") ?? `${Deno.cwd()}/.tools/data`;
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const report = await loadIpCountryRanges(sql, await ipCountryFiles(cacheDir), { force });
    console.log(
      report.skipped
        ? "ip country ranges already loaded (--force reloads)"
        : `loaded ${report.loaded} ip country ranges from ${IP_COUNTRY_PACKAGE}`,
    );
  } finally {
    await sql.end();
  }
}
