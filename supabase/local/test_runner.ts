// Runs every suite — pgTAP through pg_prove, then `deno test`, then `deno task check` — streams
// their output, and ends with one line: `N passed, N failed`.
import { clientEnv, connectionArgs, psql } from "./postgres.ts";
import { ROOT, type StackConfig } from "./stack.ts";
import { staleTypes } from "./types.ts";

interface Tally {
  passed: number;
  failed: number;
}

async function streamed(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(cmd, { args, env, cwd: ROOT, stdout: "piped", stderr: "piped" }).spawn();
  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      output += new TextDecoder().decode(chunk);
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  return { code: status.code, output };
}

/** pgTAP: every assertion counts; a file that dies before its plan completes counts as a failure. */
export async function runPgTap(config: StackConfig, only: string[] = []): Promise<Tally> {
  await psql(config, ["--single-transaction", "-f", `${ROOT}/tests/support/db-helpers.sql`]);
  const files = only.length ? only : await findFiles("tests/db", ".test.sql");
  const { code, output } = await streamed(
    "pg_prove",
    ["--verbose", "--failures", ...connectionArgs(config), ...files],
    clientEnv,
  );
  // The helpers (schema tests, the advisor view) exist only while pgTAP runs, so the database
  // a test run leaves behind is what migrations and seeds made, as Supabase's advisors would see it.
  await psql(config, ["-c", "drop schema if exists tests cascade"]);
  const passed = (output.match(/^\s*ok \d+/gm) ?? []).length;
  let failed = (output.match(/^\s*not ok \d+/gm) ?? []).length;
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed };
}

async function findFiles(path: string, suffix: string, out: string[] = []): Promise<string[]> {
  const info = await Deno.stat(`${ROOT}/${path}`);
  if (info.isFile) {
    if (path.endsWith(suffix)) out.push(path);
    return out;
  }
  for await (const entry of Deno.readDir(`${ROOT}/${path}`)) {
    await findFiles(`${path.replace(/\/$/, "")}/${entry.name}`, suffix, out);
  }
  return out.sort();
}

async function denoTest(config: StackConfig, files: string[], parallel: boolean): Promise<Tally> {
  if (files.length === 0) return { passed: 0, failed: 0 };
  const { code, output } = await streamed(Deno.execPath(), [
    "test",
    "-A",
    "--no-check",
    ...(parallel ? ["--parallel"] : []),
    ...files,
  ], { PB_INSTANCE: String(config.instance), DENO_JOBS: "2", NO_COLOR: "1" });
  const summary = [...output.matchAll(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/g)].at(-1);
  const tally = summary
    ? { passed: Number(summary[1]), failed: Number(summary[3]) }
    : { passed: 0, failed: 0 };
  if (code !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

/**
 * Deno tests: files run in parallel, except `*.serial.test.ts` (load tests, database restarts),
 * which run one after another once the rest are done, so they never disturb other files.
 */
export async function runDenoTests(config: StackConfig, only: string[] = []): Promise<Tally> {
  const files =
    (await Promise.all((only.length ? only : ["tests"]).map((path) => findFiles(path, ".test.ts")))).flat();
  const serial = files.filter((file) => file.endsWith(".serial.test.ts"));
  const parallel = await denoTest(config, files.filter((file) => !serial.includes(file)), true);
  const sequential = await denoTest(config, serial, false);
  return { passed: parallel.passed + sequential.passed, failed: parallel.failed + sequential.failed };
}

export async function runCheck(): Promise<Tally> {
  const { code } = await streamed(Deno.execPath(), ["task", "--quiet", "check"], { NO_COLOR: "1" });
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

/** The committed generated types match the database the migrations just built (counts as one). */
export async function runTypesCheck(config: StackConfig): Promise<Tally> {
  const problem = await staleTypes(config).catch((error) => String((error as Error).message));
  if (problem) console.log(`not ok - ${problem}`);
  else console.log("ok - types/database.ts is up to date");
  return problem ? { passed: 0, failed: 1 } : { passed: 1, failed: 0 };
}

export async function runAllTests(config: StackConfig, args: string[]): Promise<Tally> {
  // A folder (`tests/db/<m>`, `tests/functions/<m>`) contributes whichever test files it holds.
  const sqlFiles: string[] = [];
  const denoFiles: string[] = [];
  for (const arg of args) {
    sqlFiles.push(...await findFiles(arg, ".test.sql").catch(() => arg.endsWith(".sql") ? [arg] : []));
    denoFiles.push(...await findFiles(arg, ".test.ts").catch(() => arg.endsWith(".sql") ? [] : [arg]));
  }
  const selective = args.length > 0;
  const tallies: Tally[] = [];
  if (!selective || sqlFiles.length) tallies.push(await runPgTap(config, sqlFiles));
  if (!selective || denoFiles.length) tallies.push(await runDenoTests(config, denoFiles));
  if (!selective) tallies.push(await runTypesCheck(config));
  if (!selective) tallies.push(await runCheck());
  const total = tallies.reduce(
    (sum, t) => ({ passed: sum.passed + t.passed, failed: sum.failed + t.failed }),
    {
      passed: 0,
      failed: 0,
    },
  );
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total;
}
