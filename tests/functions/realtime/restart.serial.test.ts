// PostgreSQL restarts under the local Realtime: the replication stream and the authorization pool
// come back by themselves (as Realtime's watchdog restarts its ReplicationConnection), subscribers
// that rejoin receive what is committed afterwards, and the server process never dies.
import assert from "node:assert/strict";
import { config, dbTest, sql, tokenFor } from "../../support/harness.ts";
import { clientWith, collect, subscribe } from "./support.ts";

async function restartPostgres(): Promise<void> {
  const output = await new Deno.Command("pg_ctlcluster", {
    args: ["15", config.cluster, "restart", "-m", "fast"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(`restart failed: ${new TextDecoder().decode(output.stderr)}`);
}

dbTest("after a PostgreSQL restart, broadcasts flow again without restarting Realtime", async () => {
  const topic = `restart:${crypto.randomUUID().slice(0, 8)}`;
  const token = await tokenFor("admin");
  const client = await clientWith(() => Promise.resolve(token));
  try {
    const channel = client.channel(topic, { config: { private: false } });
    const received = collect(channel, "ping");
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
    await restartPostgres();
    // Rows committed before the new slot exists are not replayed (a temporary slot, as on Supabase):
    // keep sending until one arrives.
    const deadline = Date.now() + 20_000;
    let sent = 0;
    while (received.length === 0 && Date.now() < deadline) {
      await sql()`select realtime.send(${sql().json({ n: sent++ })}::jsonb, 'ping', ${topic}, false)`.catch(
        () => {},
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(received.length > 0, `a broadcast arrived after the restart (${sent} sent)`);
    const health = await fetch(`http://127.0.0.1:${config.realtimePort}/api/health`);
    assert.equal(health.status, 200, "the Realtime process is still up");
    await health.body?.cancel();
    // Private joins authorize through the reconnected pool.
    const privateChannel = client.channel(`${topic}:private`, { config: { private: true } });
    assert.equal((await subscribe(privateChannel)).status, "CHANNEL_ERROR", "no policy covers restart:*");
  } finally {
    await client.removeAllChannels();
  }
});
