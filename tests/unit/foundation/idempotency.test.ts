// The Idempotency-Key middleware in-process, against the local database's ops.idempotency_keys.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { createApp } from "../../../shared/http.ts";
import { idempotent } from "../../../shared/idempotency.ts";
import { dbTest, sql } from "../../support/harness.ts";

function testApp() {
  const app = createApp("idem", { globalRateLimit: false });
  let runs = 0;
  let gate: Promise<void> = Promise.resolve();
  let failNext = false;
  app.post(
    "/things",
    idempotent({ scope: "test.things", owner: (c) => c.req.header("x-owner") ?? "nobody" }),
    async (c) => {
      runs++;
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error("boom");
      }
      const body = await c.req.json();
      return c.json({ run: runs, echo: body }, 201);
    },
  );
  return {
    app,
    runs: () => runs,
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => open = resolve);
      return open;
    },
    failOnce: () => failNext = true,
  };
}

function post(app: ReturnType<typeof testApp>["app"], key: string | null, body: unknown, owner = "owner-1") {
  const headers: Record<string, string> = { "content-type": "application/json", "x-owner": owner };
  if (key !== null) headers["idempotency-key"] = key;
  return app.request("/idem/things", { method: "POST", headers, body: JSON.stringify(body) });
}

dbTest(
  "idempotency: the first response is replayed for the same key and body, the handler runs once",
  async () => {
    const t = testApp();
    const key = `k-${crypto.randomUUID()}`;
    const first = await post(t.app, key, { a: 1 });
    assert.equal(first.status, 201);
    const firstBody = await first.text();
    const second = await post(t.app, key, { a: 1 });
    assert.equal(second.status, 201);
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    assert.equal(await second.text(), firstBody);
    assert.equal(t.runs(), 1);
  },
);

dbTest(
  "idempotency: the same key with a different body is a 422, another owner's equal key is independent",
  async () => {
    const t = testApp();
    const key = `k-${crypto.randomUUID()}`;
    assert.equal((await post(t.app, key, { a: 1 })).status, 201);
    const reused = await post(t.app, key, { a: 2 });
    assert.equal(reused.status, 422);
    assert.equal((await reused.json()).error.code, "idempotency_key_reused");
    const other = await post(t.app, key, { a: 2 }, "owner-2");
    assert.equal(other.status, 201);
    assert.equal(t.runs(), 2);
  },
);

dbTest("idempotency: the same key while the first request runs is a 409 with Retry-After", async () => {
  const t = testApp();
  const key = `k-${crypto.randomUUID()}`;
  const open = t.hold();
  const first = post(t.app, key, { a: 1 });
  // Wait until the first request holds the key.
  while (t.runs() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const concurrent = await post(t.app, key, { a: 1 });
  assert.equal(concurrent.status, 409);
  assert.equal((await concurrent.json()).error.code, "idempotency_key_in_flight");
  assert.equal(concurrent.headers.get("retry-after"), "1");
  open();
  assert.equal((await first).status, 201);
  assert.equal(t.runs(), 1);
});

dbTest("idempotency: a 5xx is not stored; the retry runs the request again", async () => {
  const t = testApp();
  const key = `k-${crypto.randomUUID()}`;
  t.failOnce();
  assert.equal((await post(t.app, key, { a: 1 })).status, 500);
  const [row] =
    await sql()`select count(*)::int as n from ops.idempotency_keys where idempotency_key = ${key}`;
  assert.equal(row.n, 0);
  const retry = await post(t.app, key, { a: 1 });
  assert.equal(retry.status, 201);
  assert.equal(retry.headers.get("idempotent-replayed"), null);
  assert.equal(t.runs(), 2);
});

dbTest("idempotency: a missing or malformed key is a 400 envelope and runs nothing", async () => {
  const t = testApp();
  const missing = await post(t.app, null, { a: 1 });
  assert.equal(missing.status, 400);
  assert.equal((await missing.json()).error.code, "idempotency_key_required");
  const short = await post(t.app, "abc", { a: 1 });
  assert.equal(short.status, 400);
  assert.equal((await short.json()).error.code, "invalid_idempotency_key");
  assert.equal(t.runs(), 0);
});
