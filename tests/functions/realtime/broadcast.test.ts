// The local Realtime through the real client: @supabase/supabase-js subscribing on the gateway's
// origin, rows from realtime.send / realtime.broadcast_changes arriving after commit.
import assert from "node:assert/strict";
import type { SupabaseClient } from "@supabase/supabase-js";
import { mintUserToken } from "../../../supabase/local/tokens.ts";
import { config, createUser, dbTest, ownConnection, sql, tokenFor } from "../../support/harness.ts";
import { clientWith, collect, subscribe, until } from "./support.ts";

const clients: SupabaseClient[] = [];
async function staffClient(options: { vsn?: "1.0.0" | "2.0.0" } = {}) {
  const token = await tokenFor("admin");
  const client = await clientWith(() => Promise.resolve(token), options);
  clients.push(client);
  return client;
}
async function closeAll() {
  await Promise.all(clients.splice(0).map((client) => client.removeAllChannels()));
}

const uniqueTopic = (label: string) => `test:${label}:${crypto.randomUUID().slice(0, 8)}`;

// A private test topic needs a policy like the modules' own: staff (admin) may read test:*.
await sql()`
  do $$
  begin
    if not exists (select 1 from pg_policies where schemaname = 'realtime' and policyname = 'tests read test topics') then
      create policy "tests read test topics" on realtime.messages for select to authenticated
        using ((select realtime.topic()) like 'test:%' and (select private.has_role('admin')));
    end if;
    if not exists (select 1 from pg_policies where schemaname = 'realtime' and policyname = 'tests write test topics') then
      create policy "tests write test topics" on realtime.messages for insert to authenticated
        with check ((select realtime.topic()) like 'test:%' and (select private.has_role('admin')));
    end if;
  end
  $$`;

dbTest(
  "staff join the private leads:dashboard topic; a customer is refused with the topic named",
  async () => {
    try {
      const staff = await staffClient();
      const joined = await subscribe(staff.channel("leads:dashboard", { config: { private: true } }));
      assert.equal(joined.status, "SUBSCRIBED");

      const customerToken = await tokenFor("customer");
      const customer = await clientWith(() => Promise.resolve(customerToken));
      clients.push(customer);
      const refused = await subscribe(customer.channel("leads:dashboard", { config: { private: true } }));
      assert.equal(refused.status, "CHANNEL_ERROR");
      assert.match(
        String((refused as { error?: Error }).error?.message),
        /^Unauthorized: You do not have permissions to read from this Channel topic: leads:dashboard$/,
      );
    } finally {
      await closeAll();
    }
  },
);

dbTest("broadcasts arrive after commit, in commit order, with the id realtime.send generated", async () => {
  const topic = uniqueTopic("order");
  const first = ownConnection();
  const second = ownConnection();
  try {
    const channel = (await staffClient()).channel(topic, { config: { private: true } });
    const received = collect(channel, "step");
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");

    // The first transaction sends before the second but commits after it.
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => releaseFirst = resolve);
    let firstSent!: () => void;
    const sentByFirst = new Promise<void>((resolve) => firstSent = resolve);
    const firstTx = first.begin(async (tx) => {
      await tx`select realtime.send('{"step":"sent first, committed second"}'::jsonb, 'step', ${topic}, true)`;
      firstSent();
      await firstMayCommit;
    });
    await sentByFirst;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(received.length, 0, "nothing is delivered before a commit");
    await second.begin((tx) =>
      tx`select realtime.send('{"step":"sent second, committed first"}'::jsonb, 'step', ${topic}, true)`
    );
    releaseFirst();
    await firstTx;
    for (let i = 0; i < 5; i++) {
      await sql()`select realtime.send(${
        sql().json({ step: `sequential ${i}` })
      }::jsonb, 'step', ${topic}, true)`;
    }

    await until(() => received.length === 7, "seven broadcasts");
    assert.deepEqual(received.map((m) => m.payload.step), [
      "sent second, committed first",
      "sent first, committed second",
      ...[0, 1, 2, 3, 4].map((i) => `sequential ${i}`),
    ]);
    const rows = await sql()`select id::text, payload from realtime.messages where topic = ${topic}`;
    for (const message of received) {
      assert.equal(message.payload.id, message.meta?.id, "the payload carries the row id");
      assert.ok(rows.some((row) => row.id === message.meta?.id), "meta.id is the realtime.messages id");
    }
  } finally {
    await Promise.all([first.end(), second.end(), closeAll()]);
  }
});

dbTest("a row from a rolled-back transaction never reaches a subscriber", async () => {
  const topic = uniqueTopic("rollback");
  try {
    const channel = (await staffClient()).channel(topic, { config: { private: true } });
    const received = collect(channel, "*");
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
    await assert.rejects(
      sql().begin(async (tx) => {
        await tx`select realtime.send('{"kept":false}'::jsonb, 'doomed', ${topic}, true)`;
        throw new Error("roll back");
      }),
    );
    await sql()`select realtime.send('{"kept":true}'::jsonb, 'marker', ${topic}, true)`;
    await until(() => received.some((m) => m.event === "marker"), "the committed marker");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(received.map((m) => m.event), ["marker"]);
  } finally {
    await closeAll();
  }
});

dbTest("private rows reach only private channels, public rows only public ones", async () => {
  const topic = uniqueTopic("privacy");
  try {
    const client = await staffClient();
    const privateChannel = client.channel(topic, { config: { private: true } });
    const publicChannel = (await staffClient()).channel(topic, { config: { private: false } });
    const privately = collect(privateChannel, "*");
    const publicly = collect(publicChannel, "*");
    assert.equal((await subscribe(privateChannel)).status, "SUBSCRIBED");
    assert.equal((await subscribe(publicChannel)).status, "SUBSCRIBED");
    await sql()`select realtime.send('{"who":"staff"}'::jsonb, 'secret', ${topic}, true)`;
    await sql()`select realtime.send('{"who":"anyone"}'::jsonb, 'notice', ${topic}, false)`;
    await until(() => privately.length >= 1 && publicly.length >= 1, "one row on each channel");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(privately.map((m) => m.event), ["secret"]);
    assert.deepEqual(publicly.map((m) => m.event), ["notice"]);
  } finally {
    await closeAll();
  }
});

dbTest("realtime.broadcast_changes rows reach serializer 1.0.0 and 2.0.0 clients alike", async () => {
  const topic = uniqueTopic("changes");
  try {
    const v1 = (await staffClient({ vsn: "1.0.0" })).channel(topic, { config: { private: true } });
    const v2 = (await staffClient({ vsn: "2.0.0" })).channel(topic, { config: { private: true } });
    const byV1 = collect(v1, "INSERT");
    const byV2 = collect(v2, "INSERT");
    assert.equal((await subscribe(v1)).status, "SUBSCRIBED");
    assert.equal((await subscribe(v2)).status, "SUBSCRIBED");
    await sql()`
      select realtime.broadcast_changes(${topic}, 'INSERT', 'INSERT', 'widgets', 'public',
        row(7, 'seven')::record, null::record)`;
    await until(() => byV1.length === 1 && byV2.length === 1, "the change on both clients");
    for (const message of [byV1[0], byV2[0]]) {
      assert.equal(message.payload.operation, "INSERT");
      assert.equal(message.payload.table, "widgets");
      assert.deepEqual(message.payload.record, { f1: 7, f2: "seven" });
      assert.ok(message.meta?.id);
    }
  } finally {
    await closeAll();
  }
});

dbTest("a forced reconnect rejoins with the user's token from accessToken, not the anon key", async () => {
  const topic = uniqueTopic("reconnect");
  try {
    let tokenCalls = 0;
    const token = await tokenFor("admin");
    const client = await clientWith(() => {
      tokenCalls++;
      return Promise.resolve(token);
    });
    clients.push(client);
    const statuses: string[] = [];
    const refusals: unknown[] = [];
    const channel = client.channel(topic, { config: { private: true } });
    const received = collect(channel, "after");
    // Every reply the server sends: the drop shows as CHANNEL_ERROR on the client, a refused join
    // as an error reply.
    // deno-lint-ignore no-explicit-any -- the socket lives behind realtime-js's adapter
    const socket = (client.realtime as any).socketAdapter.socket;
    socket.onMessage((message: { event: string; payload: { status?: string } }) => {
      if (message.event === "phx_reply" && message.payload.status === "error") refusals.push(message.payload);
    });
    await new Promise<void>((resolve) =>
      channel.subscribe((status) => {
        statuses.push(status);
        if (status === "SUBSCRIBED") resolve();
      })
    );
    // Drop the connection under the client, as a network failure would.
    socket.conn.close(4000, "test drops the connection");
    await until(() => statuses.filter((s) => s === "SUBSCRIBED").length >= 2, "the rejoin", 15_000);
    assert.deepEqual(refusals, [], "no join was refused");
    await sql()`select realtime.send('{"n":1}'::jsonb, 'after', ${topic}, true)`;
    await until(() => received.length === 1, "a private broadcast after the reconnect");
    assert.ok(tokenCalls >= 1);
  } finally {
    await closeAll();
  }
});

dbTest("a refreshed token that loses the permission closes the channel", async () => {
  const user = await createUser({ staffRole: "sales" });
  try {
    const client = await clientWith(() => Promise.resolve(user.token));
    clients.push(client);
    const channel = client.channel("leads:dashboard", { config: { private: true } });
    const system: Array<{ status: string; message: string }> = [];
    channel.on("system", {}, (payload) => system.push(payload));
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");

    await sql()`delete from private.user_roles where user_id = ${user.id}`;
    const demoted = await mintUserToken(sql(), user.id, { expiresIn: 600 }, config);
    await client.realtime.setAuth(demoted);
    await until(() => channel.state === "closed", "the channel to close", 5_000);
    assert.ok(
      system.some((s) =>
        s.status === "error" &&
        s.message === "You no longer have permission to read from this Channel topic: leads:dashboard"
      ),
      JSON.stringify(system),
    );
  } finally {
    await closeAll();
  }
});

dbTest(
  "REST broadcasts (POST /realtime/v1/api/broadcast) reach subscribers; private ones need the write policy",
  async () => {
    const topic = uniqueTopic("rest");
    try {
      // One client holds one channel per topic: a listener each.
      const publicChannel = (await staffClient()).channel(topic, { config: { private: false } });
      const privateChannel = (await staffClient()).channel(topic, { config: { private: true } });
      const publicly = collect(publicChannel, "*");
      const privately = collect(privateChannel, "*");
      assert.equal((await subscribe(publicChannel)).status, "SUBSCRIBED");
      assert.equal((await subscribe(privateChannel)).status, "SUBSCRIBED");

      // supabase-js sends over REST when the channel is not joined.
      const sender = await staffClient();
      assert.equal(
        await sender.channel(topic, { config: { private: false } }).send({
          type: "broadcast",
          event: "rest-public",
          payload: { n: 1 },
        }),
        "ok",
      );
      const customerToken = await tokenFor("customer");
      const customer = await clientWith(() => Promise.resolve(customerToken));
      clients.push(customer);
      assert.equal(
        await customer.channel(topic, { config: { private: true } }).send({
          type: "broadcast",
          event: "rest-private-refused",
          payload: { n: 2 },
        }),
        "ok",
        "the API accepts the batch and drops what the caller may not write, as upstream",
      );
      assert.equal(
        // A client keeps one channel per topic, so the private send needs its own client.
        await (await staffClient()).channel(topic, { config: { private: true } }).send({
          type: "broadcast",
          event: "rest-private",
          payload: { n: 3 },
        }),
        "ok",
      );
      await until(() => publicly.length === 1 && privately.length === 1, "one REST broadcast per channel");
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(publicly.map((m) => [m.event, m.payload]), [["rest-public", { n: 1 }]]);
      assert.deepEqual(privately.map((m) => [m.event, m.payload]), [["rest-private", { n: 3 }]]);

      const bad = await fetch(`${config.apiUrl}/realtime/v1/api/broadcast`, {
        method: "POST",
        headers: { authorization: `Bearer ${customerToken}`, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ topic, event: "x", payload: "not an object" }] }),
      });
      assert.equal(bad.status, 422);
      await bad.body?.cancel();
    } finally {
      await closeAll();
    }
  },
);
