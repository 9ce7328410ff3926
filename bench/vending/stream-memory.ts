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
/** The generated file as a pulled stream: at most one 500-row chunk exists before the parser asks. */
function csvStream(total: number): ReadableStream<Uint8Array> {
  let next = 1;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === 1) controller.enqueue(encoder.encode(header));
      let chunk = "";
      for (let n = 0; n < 500 && next <= total; n++, next++) chunk += row(next);
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (next > total) controller.close();
    },
  });
}

// deno-lint-ignore no-explicit-any -- exposed by --v8-flags=--expose-gc
const gc = (globalThis as any).gc as () => void;
// A warm-up upload of 2,000 rows first (its batch is removed): compiling the parser, the schemas and
// the queries is a one-time cost of the process, not memory the upload holds, so the baseline is
// taken after it. What is left to measure grows with the file or it does not.
const warmUp = await ingestBatch(customerId, "warm-up.csv", csvStream(2000));
await db()`delete from vending.batches where id = ${warmUp.batchId}`;
gc();
const baseline = Deno.memoryUsage().heapUsed;
let peak = baseline;
const sampler = setInterval(() => {
  gc();
  peak = Math.max(peak, Deno.memoryUsage().heapUsed);
}, 100);
const started = performance.now();
const accepted = await ingestBatch(customerId, "bench.csv", csvStream(rows));
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
