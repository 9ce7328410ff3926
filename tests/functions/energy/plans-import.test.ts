// POST /functions/v1/pipeline/plans-import over real HTTP: uploads and feeds (faked PowerToChoose),
// partial imports with a rejected-row report, whole-file refusals that write nothing but the report,
// feed failures, conditional re-fetches, and the pg_cron → pg_net → pipeline path.
// Every test here imports TNMP rows only; the other energy tests never depend on TNMP plans.
import assert from "node:assert/strict";
import { formatExport, PTC_COLUMNS } from "../../../shared/energy/powertochoose.ts";
import { api, dbTest, envelope, eventually, serviceRoleKey, sql, tokenFor } from "../../support/harness.ts";
import { type PowerToChooseFake, startPowerToChooseFake } from "../../support/fakes/powertochoose.ts";

const FIXTURE = Deno.readTextFileSync(new URL("../../../seed/fixtures/powertochoose.csv", import.meta.url));
const service = await serviceRoleKey();

let nextKey = 8_000_000 + Math.floor(Math.random() * 900_000) * 10;

function row(overrides: Partial<Record<(typeof PTC_COLUMNS)[number], string | number>> = {}) {
  const idKey = ++nextKey;
  const base: Record<string, string | number> = {
    "[idKey]": idKey,
    "[TduCompanyName]": "TEXAS-NEW MEXICO POWER COMPANY",
    "[RepCompany]": "Test Import Energy",
    "[Product]": `Import Test ${idKey}`,
    "[kwh500]": "0.1610",
    "[kwh1000]": "0.1450",
    "[kwh2000]": "0.1390",
    "[PrePaid]": "False",
    "[TimeOfUse]": "False",
    "[Fixed]": "1",
    "[RateType]": "Fixed",
    "[Renewable]": 100,
    "[TermValue]": 12,
    "[CancelFee]": "$150",
    "[Promotion]": "False",
    "[NewCustomer]": "False",
    "[MinUsageFeesCredits]": "False",
    "[Language]": "English",
    "[Rating]": 4,
  };
  const merged = { ...base, ...overrides };
  return PTC_COLUMNS.map((column) => merged[column] ?? "");
}

const upload = (csv: string, token = service) =>
  api("pipeline/plans-import", { token, body: csv, headers: { "content-type": "text/csv" } });

const importCount = async () => Number((await sql()`select count(*) as n from energy.plan_imports`)[0].n);
const planCount = async () => Number((await sql()`select count(*) as n from energy.plans`)[0].n);

dbTest("plans-import: only the service role may run it", async () => {
  // verify_jwt = true: the gateway itself refuses a call without a JWT, as Supabase's does.
  const anon = await upload(formatExport([row()]), "");
  assert.equal(anon.status, 401);
  const customer = await upload(formatExport([row()]), await tokenFor("customer"));
  assert.equal(customer.status, 403);
  assert.equal(envelope(customer).code, "forbidden");
});

dbTest(
  "plans-import: good rows land, bad rows are reported with line and reason, missing plans retire",
  async () => {
    const good = row();
    const spanish = row({ "[Language]": "Spanish", "[RepCompany]": "TEST IMPORT ENERGY" });
    const badPrice = row({ "[kwh1000]": "abc" });
    const badTdsp = row({ "[TduCompanyName]": "EL PASO ELECTRIC COMPANY" });
    const before =
      await sql()`select id from energy.plans where tdsp_id = 5 and active and ptc_id_key < 8000000`;
    const response = await upload(formatExport([good, badPrice, spanish, badTdsp]));
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.status, "partial");
    assert.equal(response.body.rowsAccepted, 2);
    assert.equal(response.body.rowsRejected, 2);
    assert.deepEqual(response.body.rejections.map((r: { line: number }) => r.line), [3, 5]);
    assert.match(response.body.rejections[0].reason, /kwh1000 is "abc", not a price/);
    assert.match(response.body.rejections[1].reason, /unknown TDSP "EL PASO ELECTRIC COMPANY"/);

    const landed = await sql()`
    select p.language, pr.name_key, p.active from energy.plans p join energy.providers pr on pr.id = p.provider_id
    where p.ptc_id_key in (${good[0]}, ${spanish[0]}) order by p.ptc_id_key`;
    assert.deepEqual(landed.map((r) => [r.language, r.name_key, r.active]), [
      ["English", "TEST IMPORT ENERGY", true],
      ["Spanish", "TEST IMPORT ENERGY", true],
    ]);
    const retired = await sql()`select count(*)::int as n from energy.plans where id in ${
      sql()(before.map((r) => r.id))
    } and not active`;
    assert.equal(
      retired[0].n,
      before.length,
      "TNMP plans absent from the newer export are inactive, not deleted",
    );
    const runs =
      await sql()`select job_name, status from ops.job_runs where id in (${response.body.marketAnalyticsRunId}, ${response.body.searchRefreshRunId})`;
    assert.deepEqual(runs.map((r) => r.status), ["succeeded", "succeeded"]);
  },
);

dbTest(
  "plans-import: a CSV with the wrong headers is refused (422) and only its report is written",
  async () => {
    const [imports, plans] = [await importCount(), await planCount()];
    const csv = "id,name,price\r\n1,Plan,0.12\r\nEND OF FILE\r\n";
    const response = await upload(csv);
    assert.equal(response.status, 422);
    const error = envelope(response);
    assert.equal(error.code, "wrong_headers");
    assert.match(error.message, /missing columns \[idKey\]/);
    assert.equal(await importCount(), imports + 1);
    assert.equal(await planCount(), plans);
    const [last] =
      await sql()`select i.status, r.reason from energy.plan_imports i join energy.plan_import_rejections r on r.import_id = i.id
                             order by i.id desc limit 1`;
    assert.equal(last.status, "rejected");
    assert.match(last.reason, /Not a PowerToChoose export/);
  },
);

dbTest(
  "plans-import: malformed CSV, a truncated export and an export of only bad rows are 422s",
  async () => {
    const plans = await planCount();
    const header = PTC_COLUMNS.join(",");
    const unterminated = await upload(`${header}\r\n${row().join(",")}\r\n"broken,row\r\nEND OF FILE\r\n`);
    assert.equal(unterminated.status, 422);
    assert.equal(envelope(unterminated).code, "malformed_csv");
    const truncated = await upload(`${header}\r\n${row().join(",")}\r\n`);
    assert.equal(truncated.status, 422);
    assert.equal(envelope(truncated).code, "truncated_export");
    const allBad = await upload(formatExport([row({ "[kwh500]": "-1" }), row({ "[Language]": "French" })]));
    assert.equal(allBad.status, 422);
    const error = envelope(allBad);
    assert.equal(error.code, "validation_failed");
    assert.equal(error.details.length, 3);
    assert.equal(await planCount(), plans, "no plan was written");
    const wrongType = await api("pipeline/plans-import", {
      token: service,
      body: "x",
      headers: { "content-type": "application/xml" },
    });
    assert.equal(wrongType.status, 415);
    envelope(wrongType);
  },
);

dbTest(
  "plans-import: a feed is fetched, revalidated with ETag, and its failures are 502s on record",
  async () => {
    const fake = startPowerToChooseFake(FIXTURE);
    try {
      await feedScenario(fake);
    } finally {
      await fake.close();
    }
  },
);

async function feedScenario(fake: PowerToChooseFake) {
  const url = fake.exportUrl();
  const first = await api("pipeline/plans-import", { token: service, body: { feedUrl: url } });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.status, "succeeded");
  assert.equal(first.body.rowsAccepted, 375);
  const [{ n }] =
    await sql()`select count(*)::int as n from energy.plans where tdsp_id = 5 and active and ptc_id_key < 8000000`;
  assert.equal(n, 75, "the full export brings the TNMP fixture plans back");

  const again = await api("pipeline/plans-import", { token: service, body: { feedUrl: url } });
  assert.equal(again.status, 200);
  assert.deepEqual([again.body.status, again.body.reason], ["unchanged", "not_modified"]);
  assert.ok(fake.requests.at(-1)!.headers.get("if-none-match"), "the second fetch is conditional");

  const down = await api("pipeline/plans-import", { token: service, body: { feedUrl: `${fake.url}/down` } });
  assert.equal(down.status, 502);
  assert.equal(envelope(down).code, "feed_unavailable");
  const slow = await api("pipeline/plans-import", {
    token: service,
    body: { feedUrl: `${fake.url}/slow?ms=3000`, timeoutMs: 300 },
  });
  assert.equal(slow.status, 502);
  assert.match(envelope(slow).message, /did not answer within 300 ms/);
  const failed = await sql()`select status, error from energy.plan_imports where feed_url like ${
    fake.url + "/%"
  } and status = 'failed'`;
  assert.equal(failed.length, 2);
  const html = await api("pipeline/plans-import", { token: service, body: { feedUrl: `${fake.url}/html` } });
  assert.equal(html.status, 422);
  assert.equal(envelope(html).code, "wrong_headers");
  const badUrl = await api("pipeline/plans-import", {
    token: service,
    body: { feedUrl: "ftp://example.com/x" },
  });
  assert.equal(badUrl.status, 422);
}

dbTest("plans-import: the pg_cron job reaches the pipeline through pg_net", async () => {
  const fake = startPowerToChooseFake(FIXTURE);
  const url = fake.exportUrl("cron");
  const [{ original }] =
    await sql()`select url as original from energy.feed_sources where name = 'powertochoose'`;
  await sql()`update energy.feed_sources set url = ${url} where name = 'powertochoose'`;
  try {
    await sql()`select private.run_job('energy-plans-import', 'select private.request_plans_import()')`;
    const imported = await eventually(async () => {
      const [found] =
        await sql()`select status, rows_accepted from energy.plan_imports where feed_url = ${url}`;
      return found;
    }, 30_000);
    assert.equal(imported.status, "succeeded");
    assert.equal(imported.rows_accepted, 375);
  } finally {
    await sql()`update energy.feed_sources set url = ${original} where name = 'powertochoose'`;
    await fake.close();
  }
});
