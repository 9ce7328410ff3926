// The local stack's ports live in one table (BASE_PORTS in supabase/local/stack.ts), shifted once per
// instance: no two parts of any two instances share a port, and no process picks its own.
import assert from "node:assert/strict";
import { BASE_PORTS, instancePorts, ROOT, stackConfig } from "../../../supabase/local/stack.ts";
import { registeredStandIns } from "../../../supabase/local/status.ts";

Deno.test("every port of every instance 0-9 is distinct and shifted by 100 per instance", () => {
  const seen = new Map<number, string>();
  for (let instance = 0; instance <= 9; instance++) {
    const ports = instancePorts(instance);
    for (const [name, port] of Object.entries(ports)) {
      assert.equal(port, BASE_PORTS[name as keyof typeof BASE_PORTS] + 100 * instance);
      const other = seen.get(port);
      assert.equal(other, undefined, `port ${port}: ${name}@${instance} and ${other}`);
      seen.set(port, `${name}@${instance}`);
    }
  }
  assert.equal(seen.size, 10 * Object.keys(BASE_PORTS).length);
});

Deno.test("stackConfig's ports, URLs and function env come from the table", async () => {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { functionEnv, stackConfig } from "${ROOT}/supabase/local/stack.ts";
       const c = stackConfig();
       console.log(JSON.stringify({ c, env: await functionEnv(c) }));`,
    ],
    env: { PB_INSTANCE: "7" },
    stdout: "piped",
    stderr: "inherit",
  });
  const { code, stdout } = await command.output();
  assert.equal(code, 0);
  const { c, env } = JSON.parse(new TextDecoder().decode(stdout));
  const ports = instancePorts(7);
  assert.deepEqual(c.ports, ports);
  assert.deepEqual(
    [c.apiPort, c.dbPort, c.redisPort, c.bridgePort, c.realtimePort, c.resendPort],
    [ports.api, ports.db, ports.redis, ports.bridge, ports.realtime, ports.resend],
  );
  const portOf = (url: string) => Number(new URL(url).port);
  assert.equal(portOf(env.SUPABASE_URL), ports.api);
  assert.equal(portOf(env.UPSTASH_REDIS_REST_URL), ports.bridge);
  assert.equal(portOf(env.STRIPE_API_BASE), ports.stripe);
  assert.equal(portOf(env.PAYSTACK_API_BASE), ports.paystack);
  assert.equal(portOf(env.BUYPOWER_API_BASE), ports.buypower);
  assert.equal(portOf(env.RESEND_API_BASE), ports.resend);
  assert.match(env.SUPABASE_DB_URL, new RegExp(`:${ports.db}/`));
});

Deno.test("no file of the local stack spells a port of the table outside it", async () => {
  const basePorts = new Set<number>(Object.values(BASE_PORTS));
  const offenders: string[] = [];
  async function scan(dir: string) {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await scan(path);
      else if (entry.name.endsWith(".ts") && path !== `${ROOT}/supabase/local/stack.ts`) {
        const text = await Deno.readTextFile(path);
        for (const match of text.matchAll(/\b(\d{4,5})\b/g)) {
          if (basePorts.has(Number(match[1]))) offenders.push(`${path.slice(ROOT.length + 1)}: ${match[1]}`);
        }
      }
    }
  }
  await scan(`${ROOT}/supabase/local`);
  assert.deepEqual(offenders, []);
});

Deno.test("./dev status checks every provider stand-in the stack runs, on its port from the table", async () => {
  const config = stackConfig();
  const standIns = await registeredStandIns();
  const byName = new Map(standIns.map((s) => [s.name, new URL(s.healthUrl(config))]));
  assert.deepEqual([...byName.keys()].sort(), ["buypower", "paystack", "resend", "stripe"]);
  for (const name of ["buypower", "paystack", "resend", "stripe"] as const) {
    assert.equal(Number(byName.get(name)!.port), config.ports[name], name);
  }
});

Deno.test("install.sh reserves every port of instances 0-9 that could be an outgoing connection's", async () => {
  const script = await Deno.readTextFile(`${ROOT}/supabase/local/install.sh`);
  const reserved = script.match(/echo "([\d,-]+)" > \/proc\/sys\/net\/ipv4\/ip_local_reserved_ports/)?.[1];
  assert.ok(reserved, "install.sh writes ip_local_reserved_ports");
  const ranges = reserved.split(",").map((range) => range.split("-").map(Number));
  // Linux's default ephemeral range (net.ipv4.ip_local_port_range) is 32768-60999.
  const unreserved: string[] = [];
  for (let instance = 0; instance <= 9; instance++) {
    for (const [name, port] of Object.entries(instancePorts(instance))) {
      if (port < 32768 || port > 60999) continue;
      if (!ranges.some(([from, to]) => port >= from && port <= to)) {
        unreserved.push(`${name}@${instance}: ${port}`);
      }
    }
  }
  assert.deepEqual(unreserved, []);
});
