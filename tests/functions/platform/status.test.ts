// `./dev status` checks every part /health/status depends on and names what is down.
import assert from "node:assert/strict";
import { config, startFakeServer } from "../../support/harness.ts";
import { checkStack } from "../../../supabase/local/status.ts";

Deno.test("every part of the running stack is up, a registered stand-in included", async () => {
  const standin = startFakeServer(() => new Response("ok"));
  try {
    const results = await checkStack(config, [{ name: "probe", healthUrl: () => `${standin.url}/health` }]);
    assert.deepEqual(results.filter((r) => r.error), []);
    assert.deepEqual(results.map((r) => r.name), [
      "postgres",
      "redis",
      "upstash bridge",
      "gateway",
      "gateway-2",
      "functions",
      "realtime",
      "pg_net worker",
      "stand-in probe",
    ]);
  } finally {
    await standin.close();
  }
});

Deno.test("a stack with nothing listening is down part by part, each with its reason", async () => {
  // Port 9 (discard) is closed on 127.0.0.1; the state directory holds no pid files.
  const nothing = {
    ...config,
    dbPort: 9,
    redisPort: 9,
    apiUrl: "http://127.0.0.1:9",
    bridgeUrl: "http://127.0.0.1:9",
    realtimePort: 9,
    stateDir: await Deno.makeTempDir(),
  };
  const failing = startFakeServer(() => new Response("down", { status: 503 }));
  try {
    const results = await checkStack(nothing, [{ name: "probe", healthUrl: () => `${failing.url}/health` }]);
    assert.deepEqual(results.filter((r) => !r.error), []);
    assert.match(results.find((r) => r.name === "stand-in probe")!.error!, /HTTP 503/);
    assert.match(results.find((r) => r.name === "gateway")!.error!, /no process/);
    assert.match(results.find((r) => r.name === "realtime")!.error!, /port 9/);
  } finally {
    await failing.close();
    await Deno.remove(nothing.stateDir, { recursive: true });
  }
});
