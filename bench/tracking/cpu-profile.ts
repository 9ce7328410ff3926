// Where ingest's CPU goes: `PB_INSTANCE=<n> deno run -A bench/tracking/cpu-profile.ts` drives the raw
// `unnest` anchor and HTTP ingest (batches of 50 at 50 clients, as the tracking scenario does) in
// turns, and reads each process's CPU time from /proc before and after every phase (Linux only): the
// two gateways, the Redis bridge, Redis, this instance's Postgres backends and this process (the load
// generator). Prints µs of CPU per stored event for each, the figures the README's Benchmarks section
// quotes. A diagnostic, not a scenario: it has no anchor ratio and no target.
import { clientAddress, concurrentLoad, createContext, httpLoad } from "../lib.ts";

const ctx = await createContext();
const instanceDir = new URL(`../../.local/instance-${Deno.env.get("PB_INSTANCE") ?? "0"}/`, import.meta.url);
const pidOf = (name: string) => Number(Deno.readTextFileSync(new URL(`${name}.pid`, instanceDir)).trim());
const services = Object.fromEntries(["gateway", "gateway-2", "bridge", "redis"].map((n) => [n, pidOf(n)]));
const postgresTitle = `postgres: 15/powerbase${Deno.env.get("PB_INSTANCE") ?? "0"}`;

/** utime + stime + cutime + cstime of a process, in clock ticks (0 once it is gone). */
function ticks(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

function postgresTicks(): number {
  let total = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).startsWith(postgresTitle)) {
        total += ticks(+entry.name);
      }
    } catch { /* the backend ended meanwhile */ }
  }
  return total;
}

function snapshot(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, pid] of Object.entries(services)) counts[name] = ticks(pid);
  counts.postgres = postgresTicks();
  counts["load generator"] = ticks(Deno.pid);
  return counts;
}

const TYPES = ["page_view", "click", "hover", "scroll", "selection"];
const events = (category: string) => {
  const at = new Date().toISOString();
  return Array.from({ length: 50 }, (_, k) => ({
    id: crypto.randomUUID(),
    type: TYPES[k % TYPES.length],
    category,
    elementId: `el-${k}`,
    timeSpentMs: 100 + k,
    occurredAt: at,
  }));
};

async function measure(name: string, run: () => Promise<{ requests: number }>): Promise<void> {
  const before = snapshot();
  const started = performance.now();
  const { requests } = await run();
  const seconds = (performance.now() - started) / 1000;
  const after = snapshot();
  const stored = requests * 50;
  // Clock ticks are 10 ms (USER_HZ 100): 10,000 µs each.
  const perEvent = Object.keys(before).map((k) =>
    `${k} ${((after[k] - before[k]) * 10_000 / stored).toFixed(1)}`
  );
  console.log(`${name}: ${(stored / seconds).toFixed(0)} events/s; CPU µs per event: ${perEvent.join(", ")}`);
}

let nextIp = 7_000_000;
for (let round = 0; round < 3; round++) {
  await measure("raw unnest", () =>
    concurrentLoad(async () => {
      const e = events("cpu-profile-raw");
      await ctx.sql`
        insert into tracking.events (id, session_id, type, category, element_id, time_spent_ms, occurred_at)
        select * from unnest(${e.map((x) => x.id)}::uuid[], ${Array(50).fill(crypto.randomUUID())}::uuid[],
                             ${e.map((x) => x.type)}::text[], ${e.map((x) => x.category)}::text[],
                             ${e.map((x) => x.elementId)}::text[], ${e.map((x) => x.timeSpentMs)}::int[],
                             ${e.map((x) => x.occurredAt)}::timestamptz[])`;
    }, { connections: 50, durationSeconds: 5 }));
  const firstIp = nextIp;
  nextIp += 100_000;
  await measure("HTTP ingest", () =>
    httpLoad({
      url: `${ctx.functionsUrl}/track/events`,
      method: "POST",
      headers: { "content-type": "application/json", apikey: ctx.anonKey },
      body: () =>
        JSON.stringify({
          sessionId: crypto.randomUUID(),
          session: { device: "desktop" },
          events: events("cpu-profile-http"),
        }),
      headersFor: (i) => ({ "x-forwarded-for": clientAddress(firstIp + i) }),
      connections: 50,
      durationSeconds: 5,
    }));
}
await ctx.sql.end();
