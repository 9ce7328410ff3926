// POST /functions/v1/plans/compare over real HTTP: ranking, monthly usage, filters, side-by-side,
// the comparison log, and every kind of bad input answered with a 4xx envelope and nothing logged.
// (TNMP areas are left to the import tests, which replace TNMP plans while they run.)
import assert from "node:assert/strict";
import { api, dbTest, envelope, sql, tokenFor } from "../../support/harness.ts";

const compare = (body: unknown, token?: string) => api("plans/compare", { body, token });
const loggedFor = async (
  sessionId: string,
) => (await sql()`select zip, city_id, usage_kwh, monthly_usage_kwh, user_id, result_count, top_plan_ids
               from energy.plan_comparisons where session_id = ${sessionId}`);

dbTest("plans/compare: ranks a Houston ZIP's plans by annual cost and logs the comparison", async () => {
  const sessionId = crypto.randomUUID();
  const response = await compare({ zip: "77002", usageKwh: 1000, sessionId, limit: 10 });
  assert.equal(response.status, 200, response.text);
  const { plans, location, usage } = response.body;
  assert.equal(location.city, "Houston");
  assert.equal(location.tdsps[0].code, "centerpoint");
  assert.equal(usage.annualKwh, 12000);
  assert.equal(plans.length, 10);
  for (let i = 1; i < plans.length; i++) assert.ok(plans[i - 1].annualCost <= plans[i].annualCost);
  const first = plans[0];
  assert.equal(first.rank, 1);
  assert.equal(first.tdsp, "centerpoint");
  assert.equal(first.monthlyBills.length, 12);
  const delivery = location.tdsps[0].monthlyCharge + location.tdsps[0].perKwhCharge * 1000;
  const expectedMonthly = Math.round((1000 * first.pricesPerKwh.kwh1000 + delivery) * 100) / 100;
  assert.equal(first.monthlyBills[0], expectedMonthly, "bill = 1000 kWh × kwh1000 + TDSP delivery");
  assert.equal(first.effectiveCentsPerKwh, Math.round(first.annualCost * 100 / 12000 * 1000) / 1000);
  assert.equal(first.reasons[0], "Lowest estimated annual cost for your usage");
  assert.match(plans[1].reasons[0], /more per year than the cheapest|Lowest/);

  const [logged] = await loggedFor(sessionId);
  assert.equal(logged.zip, "77002");
  assert.equal(logged.usage_kwh, 1000);
  assert.equal(logged.user_id, null);
  assert.ok(logged.result_count >= 10);
  assert.deepEqual(logged.top_plan_ids.map(Number), plans.slice(0, 3).map((p: { id: number }) => p.id));
});

dbTest("plans/compare: 12 monthly values for a city, with filters, as a signed-in user", async () => {
  const sessionId = crypto.randomUUID();
  const [dallas] = await sql()`select id from energy.cities where name = 'Dallas'`;
  const monthly = [1100, 900, 800, 750, 1000, 1500, 2100, 2300, 1700, 1100, 800, 1000];
  const response = await compare({
    cityId: Number(dallas.id),
    usageKwh: monthly,
    filters: { fixed: true, renewableMin: 100, noCancelFee: false },
    sessionId,
  }, await tokenFor("customer"));
  assert.equal(response.status, 200, response.text);
  assert.ok(response.body.plans.length > 0);
  for (const plan of response.body.plans) {
    assert.equal(plan.tdsp, "oncor");
    assert.equal(plan.fixed, true);
    assert.equal(plan.renewablePct, 100);
    assert.equal(plan.monthlyBills.length, 12);
    assert.ok(plan.monthlyBills[7] > plan.monthlyBills[3], "August costs more than April");
  }
  const [logged] = await loggedFor(sessionId);
  assert.equal(logged.usage_kwh, Math.round(monthly.reduce((a, b) => a + b) / 12));
  assert.deepEqual(logged.monthly_usage_kwh, monthly);
  assert.ok(logged.user_id, "a signed-in comparison is tied to the user");
});

dbTest("plans/compare: side by side compares exactly the chosen plans", async () => {
  const chosen =
    await sql()`select id from energy.plans where tdsp_id = 3 and active and language = 'English' order by price_1000 desc limit 3`;
  const ids = chosen.map((r) => Number(r.id));
  const response = await compare({ zip: "78401", usageKwh: 1500, planIds: ids });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.mode, "side_by_side");
  assert.deepEqual(response.body.plans.map((p: { id: number }) => p.id).sort(), [...ids].sort());
  const elsewhere = await sql()`select id from energy.plans where tdsp_id = 1 and active limit 1`;
  const refused = await compare({ zip: "78401", usageKwh: 1500, planIds: [ids[0], Number(elsewhere[0].id)] });
  assert.equal(refused.status, 422);
  assert.equal(envelope(refused).code, "plan_not_available");
});

dbTest("plans/compare: bad input is a 4xx envelope and logs nothing", async () => {
  const sessionId = crypto.randomUUID();
  const cases: Array<[unknown, number, string]> = [
    [{ zip: "75999", usageKwh: 1000, sessionId }, 404, "unknown_zip"],
    [{ zip: "90210", usageKwh: 1000, sessionId }, 422, "zip_outside_texas"],
    [{ zip: "78701", usageKwh: 1000, sessionId }, 422, "retail_choice_unavailable"],
    [{ zip: "77002", usageKwh: 0, sessionId }, 422, "validation_failed"],
    [{ zip: "77002", usageKwh: -5, sessionId }, 422, "validation_failed"],
    [{ zip: "77002", usageKwh: 5_000_000, sessionId }, 422, "validation_failed"],
    [{ zip: "77002", usageKwh: [1000, 1000], sessionId }, 422, "validation_failed"],
    [{ zip: "7700", usageKwh: 1000, sessionId }, 422, "validation_failed"],
    [{ zip: "77002", cityId: 1, usageKwh: 1000, sessionId }, 422, "validation_failed"],
    [{ cityId: 99999999, usageKwh: 1000, sessionId }, 404, "unknown_city"],
    [{ zip: "77002", usageKwh: 1000, filters: { colour: "green" }, sessionId }, 422, "validation_failed"],
  ];
  for (const [body, status, code] of cases) {
    const response = await compare(body);
    assert.equal(response.status, status, `${JSON.stringify(body)} → ${response.text}`);
    assert.equal(envelope(response).code, code);
  }
  const malformed = await api("plans/compare", {
    body: "{not json",
    headers: { "content-type": "application/json" },
  });
  assert.equal(malformed.status, 400);
  assert.equal(envelope(malformed).code, "malformed_json");
  assert.equal((await loggedFor(sessionId)).length, 0, "no comparison was logged for bad input");
});
