// Energy plan price alerts over HTTP: a customer watches the cheapest plan at a ZIP and usage, the hourly
// check finds it at the target and the customer gets one e-mail through the stand-in; only the owner sees
// or deletes the alert.
import assert from "node:assert/strict";
import { api, createUser, dbTest, envelope, sql } from "../../support/harness.ts";
import { mailTo } from "./_helpers.ts";

dbTest("a price alert at its target e-mails the customer once; only its owner sees it", async () => {
  const customer = await createUser();
  const other = await createUser();
  const [{ price }] = await sql()`
    select ((energy.compare_plans(array[900], '77002', max_results => 1) -> 'plans' -> 0) ->> 'averageMonthlyBill')::float8
      as price`;
  const created = await api("marketing/alerts", {
    token: customer.token,
    body: { zip: "77002", usageKwh: 900, targetMonthly: price + 5 },
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.armed, true);
  assert.equal(
    (await api("marketing/alerts", { token: other.token })).body.alerts.length,
    0,
    "others see nothing",
  );
  const foreign = await api(`marketing/alerts/${created.body.id}`, { token: other.token, method: "DELETE" });
  assert.equal(foreign.status, 404);
  assert.equal(envelope(foreign).code, "not_found");
  assert.equal((await api("marketing/alerts")).status, 401);
  const invalid = await api("marketing/alerts", {
    token: customer.token,
    body: { zip: "7700", usageKwh: 900, targetMonthly: 1 },
  });
  assert.equal(invalid.status, 422);

  await sql()`select marketing.check_price_alerts()`;
  await sql()`select private.marketing_tick()`;
  const [mail] = await mailTo(customer.email, 1, 30_000);
  assert.match(mail.subject, /is now \$[\d.]+ a month at 77002$/);
  const [alert] = (await api("marketing/alerts", { token: customer.token })).body.alerts;
  assert.equal(alert.armed, false, "disarmed until the price rises again");
  assert.equal(alert.lastPrice, price);

  const removed = await api(`marketing/alerts/${created.body.id}`, {
    token: customer.token,
    method: "DELETE",
  });
  assert.equal(removed.status, 200);
});
