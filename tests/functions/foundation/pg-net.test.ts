// pg_net semantics on the local stack: requests leave only after commit, responses are recorded.
import assert from "node:assert/strict";
import { dbTest, eventually, sql, startFakeServer } from "../../support/harness.ts";

dbTest("a request queued in a rolled-back transaction is never sent; a committed one is", async () => {
  const server = startFakeServer(() => Response.json({ received: true }));
  try {
    const marker = crypto.randomUUID();
    await sql().begin(async (tx) => {
      await tx`select net.http_post(${`${server.url}/rolled-back/${marker}`}, '{"n":1}'::jsonb)`;
      throw new Error("roll back");
    }).catch(() => {});
    const [{ id }] =
      await sql()`select net.http_post(${`${server.url}/committed/${marker}`}, '{"n":2}'::jsonb) as id`;

    const response = await eventually(async () => {
      const [row] = await sql()`select status_code, content from net._http_response where id = ${id}`;
      return row;
    });
    assert.equal(response.status_code, 200);
    assert.deepEqual(JSON.parse(response.content), { received: true });
    assert.deepEqual(server.requests.map((r) => r.path), [`/committed/${marker}`]);
    assert.equal(server.requests[0].body, '{"n": 2}');
    assert.equal(server.requests[0].headers.get("content-type"), "application/json");
  } finally {
    await server.close();
  }
});

dbTest("timeouts and connection failures are recorded like pg_net records them", async () => {
  const slow = startFakeServer(() =>
    new Promise((resolve) => setTimeout(() => resolve(new Response("late")), 1500))
  );
  try {
    const [{ id: timedOut }] = await sql()`
      select net.http_get(${`${slow.url}/slow`}, timeout_milliseconds => 200) as id`;
    const [{ id: refused }] = await sql()`select net.http_get('http://127.0.0.1:9/closed') as id`;
    const timeoutRow = await eventually(async () =>
      (await sql()`select * from net._http_response where id = ${timedOut}`)[0]
    );
    assert.equal(timeoutRow.timed_out, true);
    assert.match(timeoutRow.error_msg, /Timeout of 200 ms/);
    const refusedRow = await eventually(async () =>
      (await sql()`select * from net._http_response where id = ${refused}`)[0]
    );
    assert.equal(refusedRow.status_code, null);
    assert.ok(refusedRow.error_msg);
  } finally {
    await slow.close();
  }
});
