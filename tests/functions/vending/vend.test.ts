// The vend function through the local gateway, against the BuyPower sandbox stand-in that
// `./dev start` runs: validation, single vends with Idempotency-Key, funding, refusals as 4xx
// envelopes, CSV batches (rejections with lines, one batch per key and file, progress, results CSV).
import assert from "node:assert/strict";
import { meterFacts } from "../../../supabase/local/standins/buypower.ts";
import {
  api,
  createUser,
  dbTest,
  envelope,
  eventually,
  serviceRoleKey,
  sql,
  tokenFor,
} from "../../support/harness.ts";

async function fundedCustomer(naira = 100_000) {
  const user = await createUser();
  const admin = await tokenFor("admin");
  const topUp = await api("vend/accounts/top-up", {
    token: admin,
    body: { customerId: user.id, amount: naira, note: "test" },
  });
  assert.equal(topUp.status, 200, topUp.text);
  return user;
}

/** A prepaid meter number the sandbox knows, with a minimum above ₦100 when asked. */
function meter(options: { minAbove100?: boolean } = {}): string {
  for (let i = 0; i < 10_000; i++) {
    const candidate = `5${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}1`;
    if (!options.minAbove100 || meterFacts(candidate, "IKEJA").minVendAmount > 100) return candidate;
  }
  throw new Error("no meter found");
}

const key = () => `test-${crypto.randomUUID()}`;

dbTest(
  "validate answers the meter's owner, address, tariff and limits; bad input is a 4xx envelope",
  async () => {
    const user = await createUser();
    const number = meter();
    const ok = await api("vend/validate", { token: user.token, body: { meter: number, disco: "ikeja" } });
    assert.equal(ok.status, 200, ok.text);
    const facts = meterFacts(number, "IKEJA");
    assert.equal(ok.body.name, facts.name);
    assert.equal(ok.body.address, facts.address);
    assert.equal(ok.body.minVendAmount, facts.minVendAmount);
    assert.equal(ok.body.maxVendAmount, facts.maxVendAmount);
    const [saved] = await sql()`select verified_name from vending.meters where customer_id = ${user.id}`;
    assert.equal(saved.verified_name, facts.name);

    for (
      const [body, status, code] of [
        [{ meter: "12345", disco: "IKEJA" }, 422, "validation_failed"],
        [{ meter: number, disco: "LAGOS" }, 422, "validation_failed"],
        [{ meter: "12345678000", disco: "IKEJA" }, 422, "meter_not_found"],
        [{ meter: number, disco: "IKEJA", amount: "12.345" }, 422, "validation_failed"],
      ] as const
    ) {
      const response = await api("vend/validate", { token: user.token, body });
      assert.equal(response.status, status, response.text);
      assert.equal(envelope(response).code, code);
    }
    const malformed = await api("vend/validate", {
      token: user.token,
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    assert.equal(malformed.status, 400);
    assert.equal((await api("vend/validate", { body: { meter: number, disco: "IKEJA" } })).status, 401);
  },
);

dbTest("a vend: 201 with the token, funded once, replayed for the same Idempotency-Key", async () => {
  const user = await fundedCustomer(10_000);
  const number = meter();
  const body = {
    meter: number,
    disco: "IKEJA",
    amount: 1000,
    phone: "0803 123 4567",
    email: "Buyer@Example.com",
  };
  const idempotencyKey = key();
  const first = await api("vend", {
    token: user.token,
    body,
    headers: { "idempotency-key": idempotencyKey },
  });
  assert.equal(first.status, 201, first.text);
  assert.match(first.body.token, /^\d{4}(-\d{4}){4}$/);
  assert.equal(first.body.phone, "+2348031234567");
  assert.equal(first.body.amountKobo, 100000);
  assert.ok(first.body.units > 0);

  const again = await api("vend", {
    token: user.token,
    body,
    headers: { "idempotency-key": idempotencyKey },
  });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get("idempotent-replayed"), "true");
  assert.equal(again.body.orderId, first.body.orderId);
  const reused = await api("vend", {
    token: user.token,
    body: { ...body, amount: 1200 },
    headers: { "idempotency-key": idempotencyKey },
  });
  assert.equal(reused.status, 422);
  assert.equal(envelope(reused).code, "idempotency_key_reused");
  const [counted] = await sql()`select count(*)::int as n from vending.vends where customer_id = ${user.id}`;
  assert.equal(counted.n, 1, "one vend for one key");
  const account = await api("vend/account", { token: user.token });
  assert.equal(account.body.balanceKobo, 900000, "debited once");

  const read = await api(`vend/${first.body.orderId}`, { token: user.token });
  assert.equal(read.status, 200);
  assert.equal(read.body.token, first.body.token);
  const stranger = await createUser();
  assert.equal((await api(`vend/${first.body.orderId}`, { token: stranger.token })).status, 404);
  const support = await api(`vend/${first.body.orderId}`, { token: await tokenFor("support") });
  assert.equal(support.body.token, first.body.token, "operators see every vend");
});

dbTest("refusals: no key, unfunded, outside the meter's limits, bad phone, repeated orderId", async () => {
  const user = await fundedCustomer(2_000);
  const number = meter({ minAbove100: true });
  const base = { meter: number, disco: "IKEJA", amount: 1500, phone: "08031234567" };
  const send = (body: unknown, idempotencyKey: string | null = key()) =>
    api("vend", {
      token: user.token,
      body,
      headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
    });

  const noKey = await send(base, null);
  assert.equal(noKey.status, 400);
  assert.equal(envelope(noKey).code, "idempotency_key_required");
  const poor = await send({ ...base, amount: 5000 });
  assert.equal(poor.status, 402, poor.text);
  assert.equal(envelope(poor).code, "insufficient_funds");
  const low = await send({ ...base, amount: 100 });
  assert.equal(low.status, 422);
  assert.equal(
    envelope(low).details[0] && (envelope(low).details[0] as { code: string }).code,
    "amount_outside_meter_limits",
  );
  const tooMuch = await send({ ...base, amount: 100_001 });
  assert.equal(tooMuch.status, 422);
  const badPhone = await send({ ...base, phone: "0991 234 5678" });
  assert.equal(badPhone.status, 422);
  assert.equal(envelope(badPhone).code, "validation_failed");
  const prepaidMeter = await send({ ...base, meter: "123456789012" });
  assert.equal(prepaidMeter.status, 422);

  const orderId = `own-${crypto.randomUUID().slice(0, 12)}`;
  const mine = await send({ ...base, amount: 1000, orderId });
  assert.equal(mine.status, 201, mine.text);
  const repeated = await send({ ...base, amount: 500, orderId });
  assert.equal(repeated.status, 409);
  assert.equal(envelope(repeated).code, "duplicate_order_id");
  const account = await api("vend/account", { token: user.token });
  assert.equal(account.body.balanceKobo, 100000, "only the one vend was debited");
});

function csv(rows: string[][]): string {
  return ["meter,disco,vendType,amount,phone,email,name", ...rows.map((r) => r.join(","))].join("\n") + "\n";
}

dbTest(
  "a CSV batch: rejections with lines, one batch per key and file, progress, a safe results CSV",
  async () => {
    const user = await fundedCustomer(50_000);
    const good = [meter(), meter(), meter()];
    const file = csv([
      [good[0], "IKEJA", "PREPAID", "1000", "08031234567", "", "Ada"],
      ["12345", "IKEJA", "PREPAID", "1000", "08031234567", "", ""],
      [good[1], "LAGOS", "PREPAID", "1000", "08031234567", "", ""],
      [good[1], "EKO", "PREPAID", "50", "08031234567", "", ""],
      [good[1], "EKO", "PREPAID", "1000", "0991 234 5678", "", ""],
      ["=2+5", "EKO", "PREPAID", "1000", "08031234567", "", ""],
      [good[1], "EKO", "PREPAID", "1000"],
      [good[2], "ABUJA", "", "2000.50", "+2348031234567", "a@b.ng", '"Obi, Ngozi"'],
    ]);
    const idempotencyKey = key();
    const upload = (body: string, k = idempotencyKey) =>
      api("vend/batches", {
        token: user.token,
        body,
        headers: { "content-type": "text/csv", "idempotency-key": k, "x-file-name": "march.csv" },
      });
    const first = await upload(file);
    assert.equal(first.status, 202, first.text);
    assert.equal(first.body.accepted, 2, first.text);
    assert.equal(first.body.rowCount, 8);
    assert.deepEqual(first.body.rejected.map((r: { line: number; code: string }) => [r.line, r.code]), [
      [3, "bad_meter"],
      [4, "unknown_disco"],
      [5, "amount_out_of_range"],
      [6, "bad_phone"],
      [7, "bad_meter"],
      [8, "malformed_row"],
    ]);
    const again = await upload(file);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.equal(again.body.batchId, first.body.batchId);
    const [batches] =
      await sql()`select count(*)::int as n from vending.batches where uploaded_by = ${user.id}`;
    assert.equal(batches.n, 1, "the same file twice with one key is one batch");
    const other = await upload(file.replace("1000", "1100"));
    assert.equal(other.status, 422);
    assert.equal(envelope(other).code, "idempotency_key_reused");

    const done = await eventually(async () => {
      const progress = await api(`vend/batches/${first.body.batchId}`, { token: user.token });
      return progress.body.status === "completed" ? progress.body : null;
    }, 30_000);
    assert.equal(done.counts.succeeded, 2);
    const [progress] = await sql()`
    select count(*)::int as n, bool_or(payload ->> 'status' = 'completed') as completed from realtime.messages
    where topic = ${"vending:batch:" + first.body.batchId} and event = 'batch_progress' and private`;
    assert.ok(progress.n >= 1 && progress.completed, "progress went out on the batch's private topic");
    assert.equal(done.rejectedCount, 6);
    const results = await api(`vend/batches/${first.body.batchId}/results.csv`, { token: user.token });
    assert.equal(results.status, 200);
    assert.match(results.headers.get("content-type") ?? "", /text\/csv/);
    const lines = results.text.trim().split("\n");
    assert.equal(
      lines[0],
      "line,status,orderId,meter,disco,vendType,amount,token,units,receiptNo,code,message",
    );
    assert.equal(lines.length, 9);
    assert.match(lines[1], /^2,succeeded,PB[0-9a-f]{32},\d{11},IKEJA,PREPAID,1000\.00,\d{4}(-\d{4}){4},/);
    assert.ok(lines.some((l) => l.startsWith(`7,rejected,,'=2+5,EKO,`)), results.text);
    assert.ok(lines[8].startsWith("9,succeeded,"), lines[8]);

    const stranger = await createUser();
    assert.equal((await api(`vend/batches/${first.body.batchId}`, { token: stranger.token })).status, 404);
    assert.equal(
      (await api(`vend/batches/${first.body.batchId}/results.csv`, { token: stranger.token })).status,
      404,
    );
  },
);

dbTest("a file that is not a batch is one 4xx and leaves nothing", async () => {
  const user = await fundedCustomer(10_000);
  const send = (body: string, contentType = "text/csv") =>
    api("vend/batches", {
      token: user.token,
      body,
      headers: { "content-type": contentType, "idempotency-key": key() },
    });
  const wrongHeaders = await send("meter,disco,price\n12345678901,EKO,100\n");
  assert.equal(wrongHeaders.status, 400);
  assert.equal(envelope(wrongHeaders).code, "wrong_headers");
  const empty = await send("meter,disco,amount,phone\n");
  assert.equal(empty.status, 400);
  assert.equal(envelope(empty).code, "empty_batch");
  const json = await send('{"meter":"1"}', "application/json");
  assert.equal(json.status, 415);
  const [left] = await sql()`select count(*)::int as n from vending.batches where uploaded_by = ${user.id}`;
  assert.equal(left.n, 0);
  const account = await api("vend/account", { token: user.token });
  assert.equal(account.body.balanceKobo, 1_000_000, "nothing debited");
  assert.equal(
    (await api("vend/batches", { body: "x", headers: { "content-type": "text/csv" } })).status,
    401,
  );
});

dbTest("operators: counts for analysts, top-ups for admins only, the OpenAPI document", async () => {
  const counts = await api("vend/counts?range=24h", { token: await tokenFor("analyst") });
  assert.equal(counts.status, 200, counts.text);
  assert.equal(typeof counts.body.vendsByStatus, "object");
  const customer = await createUser();
  assert.equal((await api("vend/counts", { token: customer.token })).status, 403);
  const topUp = await api("vend/accounts/top-up", {
    token: await tokenFor("support"),
    body: { customerId: customer.id, amount: 100 },
  });
  assert.equal(topUp.status, 403);
  const doc = await api("vend/openapi.json");
  assert.equal(doc.status, 200);
  for (const path of ["/vend/validate", "/vend", "/vend/batches", "/vend/batches/{id}", "/vend/{orderId}"]) {
    assert.ok(doc.body.paths[path], `documented: ${path}`);
  }
});

dbTest("health shows the vendor and the queue; metrics count vends and vendor calls", async () => {
  const admin = await tokenFor("admin");
  const user = await fundedCustomer(5_000);
  const sent = await api("vend", {
    token: user.token,
    body: { meter: meter(), disco: "EKO", amount: 1000, phone: "08031234567" },
    headers: { "idempotency-key": key() },
  });
  assert.equal(sent.status, 201, sent.text);
  const status = await api("health/status", { token: admin });
  assert.equal(status.status, 200, status.text);
  const vending = status.body.vending;
  assert.equal(vending.ok, true, JSON.stringify(vending));
  assert.ok(["closed", "open", "half_open"].includes(vending.value.breakerState));
  assert.equal(typeof vending.value.queueDepth, "number");
  assert.equal(typeof vending.value.pendingRequeries, "number");
  assert.equal(typeof vending.value.lastLatencyMs, "number");
  const metrics = await api("health/metrics", { token: admin });
  assert.match(metrics.text, /powerbase_vending_vends\{status="succeeded"\} \d+/);
  assert.match(metrics.text, /powerbase_vending_vendor_calls_24h\{endpoint="POST \/vend",code="200"\} \d+/);
  assert.match(metrics.text, /powerbase_vending_queue_depth \d+/);
});

dbTest(
  "the pipeline refreshes DISCO status and the wallet from BuyPower; only the service key runs jobs",
  async () => {
    const service = await serviceRoleKey();
    const refreshed = await api("pipeline/vending-refresh", { token: service, body: {} });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(refreshed.body.discosUpdated, 11);
    assert.equal(typeof refreshed.body.walletBalanceKobo, "number");
    const [wallet] = await sql()`select balance_kobo from vending.wallet_snapshots order by id desc limit 1`;
    assert.equal(Number(wallet.balance_kobo), refreshed.body.walletBalanceKobo);
    const [checked] =
      await sql()`select count(*)::int as n from vending.discos where status_checked_at > now() - interval '1 minute'`;
    assert.equal(checked.n, 11);
    const worked = await api("pipeline/vending-process", { token: service, body: {} });
    assert.equal(worked.status, 200, worked.text);
    assert.equal(typeof worked.body.leased, "boolean");
    const denied = await api("pipeline/vending-process", { token: (await createUser()).token, body: {} });
    assert.ok([401, 403].includes(denied.status), String(denied.status));
  },
);
