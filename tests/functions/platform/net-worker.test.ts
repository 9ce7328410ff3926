// The local pg_net worker behaves as upstream's: NULL headers go out without any, responses older
// than pg_net.ttl (6 hours by default) are deleted while newer ones stay.
import assert from "node:assert/strict";
import { dbTest, eventually, sql, startFakeServer } from "../../support/harness.ts";

dbTest("a POST with NULL headers is sent with libcurl's defaults, and its response recorded", async () => {
  const server = startFakeServer(() => new Response("ok"));
  try {
    const [{ id }] = await sql()`
      select net.http_post(${`${server.url}/null-headers`}, '{"n":1}'::jsonb, '{}'::jsonb, null) as id`;
    const row = await eventually(async () =>
      (await sql()`select status_code, content from net._http_response where id = ${id}`)[0]
    );
    assert.equal(row.status_code, 200);
    assert.equal(row.content, "ok");
    const [received] = server.requests;
    assert.equal(received.body, '{"n": 1}');
    assert.equal(received.headers.get("content-type"), "application/x-www-form-urlencoded");
    assert.notEqual(received.headers.get("user-agent"), "pg_net/0.20.4");
  } finally {
    await server.close();
  }
});

dbTest("responses older than pg_net.ttl are deleted, newer ones kept", async () => {
  const old = -Math.floor(Math.random() * 1e9) - 1;
  const recent = old - 1;
  await sql()`
    insert into net._http_response (id, status_code, content, timed_out, created)
    values (${old}, 200, 'old', false, now() - interval '6 hours 1 minute'),
           (${recent}, 200, 'recent', false, now() - interval '5 hours 59 minutes')`;
  await sql()`select net.wake()`;
  await eventually(async () =>
    (await sql()`select count(*)::int as n from net._http_response where id = ${old}`)[0].n === 0
  );
  const [{ n }] = await sql()`select count(*)::int as n from net._http_response where id = ${recent}`;
  assert.equal(n, 1);
  await sql()`delete from net._http_response where id = ${recent}`;
});
