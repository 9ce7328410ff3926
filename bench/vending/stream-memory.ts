// Streams a generated CSV of N rows into a batch, in its own process with V8's gc exposed, and prints
// the peak *live* heap (sampled after a forced collection every 100 ms) against the file's size.
// The bench scenario runs it: garbage awaiting collection says nothing about what the upload holds.
//   deno run -A --v8-flags=--expose-gc bench/vending/stream-memory.ts <customerId> <rows>
import { functionEnv, stackConfig } from "../../supabase/local/stack.ts";

for (const [name, value] of Object.entries(await functionEnv(stackConfig()))) Deno.env.set(name, value);
const { ingestBatch } = await import("../../shared/vending/batches.ts");
const { db } = await import("../../shared/db.ts");

const [customerId, rowsArg] = Deno.args;
const rows = Number(rowsArg);
const header = "meter,disco,vendType,amount,phone,email,name\n";
const row = (i: number) => `7${String(i).padStart(9, "0")}9,EKO,PREPAID,100,08031234567,,Bench Row ${i}\n`;
let fileBytes = header.length;
for (let i = 1; i <= rows; i++) fileBytes += row(i).length;

const encoder = new TextEncoder();
let next = 1;
const body = new ReadableStream<Uint8Array>({
  pull(controller) {
    if (next === 1) controller.enqueue(encoder.encode(header));
    let chunk = "";
    for (let n = 0; n < 500 && next <= rows; n++, next++) chunk += row(next);
    if (chunk) controller.enqueue(encoder.encode(chunk));
    if (next > rows) controller.close();
  },
});

// deno-lint-ignore no-explicit-any -- exposed by --v8-flags=--expose-gc
const gc = (globalThis as any).gc as () => void;
await db()`select 1`;
gc();
const baseline = Deno.memoryUsage().heapUsed;
let peak = baseline;
const sampler = setInterval(() => {
  gc();
  peak = Math.max(peak, Deno.memoryUsage().heapUsed);
}, 100);
const started = performance.now();
const accepted = await ingestBatch(customerId, "bench.csv", body);
clearInterval(sampler);
console.log(JSON.stringify({
  batchId: accepted.batchId,
  rows: accepted.rowCount,
  accepted: accepted.accepted,
  fileBytes,
  baselineHeap: baseline,
  peakLiveHeapGrowth: peak - baseline,
  seconds: (performance.now() - started) / 1000,
}));
await db().end();
