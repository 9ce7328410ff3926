// deno task bench [scenario...] — runs the scenarios in bench/scenarios/ against the local stack,
// prints one table, and writes bench/results/latest.json and bench/results/latest.svg.
import { type BenchRow, type BenchScenario, createContext, round } from "./lib.ts";
import { renderChart } from "./chart.ts";

const here = new URL(".", import.meta.url);
const wanted = new Set(Deno.args);

const scenarios: BenchScenario[] = [];
for await (const entry of Deno.readDir(new URL("scenarios/", here))) {
  if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
  const module = await import(new URL(`scenarios/${entry.name}`, here).href);
  const scenario = module.default as BenchScenario;
  if (!wanted.size || wanted.has(scenario.name)) scenarios.push(scenario);
}
scenarios.sort((a, b) => a.name.localeCompare(b.name));

// Benchmarks simulate many clients by their X-Forwarded-For entries, so the stack must trust the
// bench as one more proxy (PB_TRUSTED_PROXY_HOPS=2, as `./dev test` does): `./dev start` again with
// it, which keeps the database and restarts only the gateways. BENCH_KEEP_STACK=1 skips this.
if (Deno.env.get("BENCH_KEEP_STACK") !== "1") {
  console.error("restarting the gateways with PB_TRUSTED_PROXY_HOPS=2 (the bench simulates many clients)");
  const started = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "start"],
    env: { PB_TRUSTED_PROXY_HOPS: "2" },
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!started.success) {
    console.error("./dev start failed; see above");
    Deno.exit(1);
  }
}

const ctx = await createContext();
const health = await fetch(`${ctx.functionsUrl}/health`).catch(() => null);
await health?.body?.cancel();
if (!health?.ok) {
  console.error("The local stack is not running: start it with `./dev start` first.");
  Deno.exit(1);
}
const rows: BenchRow[] = [];
for (const scenario of scenarios) {
  console.error(`\n== ${scenario.name}: ${scenario.description}`);
  try {
    rows.push(...await scenario.run(ctx));
  } catch (error) {
    console.error(`scenario ${scenario.name} failed: ${(error as Error).stack ?? error}`);
    rows.push({
      scenario: scenario.name,
      subject: "scenario",
      metric: "error",
      value: NaN,
      unit: "",
      met: false,
    });
  }
}
await ctx.sql.end();

const table = rows.map((row) => ({
  scenario: row.scenario,
  subject: row.subject,
  metric: row.metric,
  value: `${round(row.value)} ${row.unit}`.trim(),
  anchor: row.anchor ?? "",
  ratio: row.ratio === undefined ? "" : `${round(row.ratio, 3)}x`,
  target: row.target ?? "",
  met: row.met === undefined ? "" : row.met ? "yes" : "NO",
}));
console.table(table);

const results = new URL("results/", here);
await Deno.mkdir(results, { recursive: true });
const report = { ranAt: new Date().toISOString(), machine: { cpus: navigator.hardwareConcurrency }, rows };
await Deno.writeTextFile(new URL("latest.json", results), JSON.stringify(report, null, 2));
await Deno.writeTextFile(new URL("latest.svg", results), renderChart(rows));
console.error(`wrote bench/results/latest.json and bench/results/latest.svg`);
Deno.exit(rows.some((row) => row.met === false) ? 1 : 0);
