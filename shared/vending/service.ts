// Vending services behind the `vend` function's thin handlers: meter validation with the vendor,
// single vends (funded, queued, sent at once), and reading vends. Batches are in batches.ts.
import { asService, asUser, type Claims, db, rpc } from "../db.ts";
import { HttpError, notFound, unprocessable } from "../errors.ts";
import { BuyPowerClient, type VendType } from "./buypower.ts";
import { createVendorBreaker, type VendorBreaker } from "./breaker.ts";
import { vendingEnv } from "./config.ts";
import { MAX_AMOUNT_KOBO, MIN_AMOUNT_KOBO, nairaToKobo, type VendInput } from "./validation.ts";
import { processOne, recordCalls, type WorkerDeps } from "./worker.ts";

let deps: WorkerDeps | undefined;
let breaker: VendorBreaker | undefined;

/** This isolate's vendor client, breaker and settings. */
export function vendorDeps(): WorkerDeps {
  if (!deps) {
    const settings = vendingEnv();
    breaker = createVendorBreaker({
      consecutiveFailures: settings.VENDING_BREAKER_FAILURES,
      openMs: settings.VENDING_BREAKER_OPEN_MS,
      timeoutMs: settings.VENDING_CALL_TIMEOUT_MS + 1000,
      maxInFlight: settings.VENDING_CONCURRENCY * 4,
    });
    deps = {
      sql: db(),
      client: new BuyPowerClient({
        baseUrl: settings.BUYPOWER_API_BASE,
        apiKey: settings.BUYPOWER_API_KEY,
        timeoutMs: settings.VENDING_CALL_TIMEOUT_MS,
      }),
      breaker,
      maxRequeries: settings.VENDING_MAX_REQUERIES,
      releaseSeconds: Math.ceil(settings.VENDING_BREAKER_OPEN_MS / 1000),
    };
  }
  return deps;
}

const vendorUnavailable = (message: string) =>
  new HttpError(503, "vendor_unavailable", message, [], { "Retry-After": "30" });

export interface MeterInfo {
  meter: string;
  disco: string;
  vendType: VendType;
  name: string | null;
  address: string | null;
  tariff: string | null;
  tariffClass: string | null;
  minVendAmount: number;
  maxVendAmount: number;
  outstanding: number | null;
  debtRepayment: number | null;
  savedMeterId: string;
}

async function requireDiscoUp(disco: string): Promise<void> {
  const [row] = await db()`select is_up from vending.discos where code = ${disco}`;
  if (!row) throw new HttpError(422, "unknown_disco", `Unknown DISCO ${disco}.`);
  if (!row.is_up) throw new HttpError(422, "disco_unavailable", `${disco} is not taking vends right now.`);
}

/**
 * Checks a meter with BuyPower (check/meter) and saves what it verified for the customer. With an
 * amount (kobo), also refuses one outside ₦100–₦100,000 or the meter's own limits.
 */
export async function validateMeter(
  customerId: string,
  input: { meter: string; disco: string; vendType: VendType; amountKobo?: number },
): Promise<MeterInfo> {
  await requireDiscoUp(input.disco);
  const { client, breaker } = vendorDeps();
  const ran = await breaker.run(
    () => client.checkMeter(input.meter, input.disco, input.vendType),
    (answer) => answer.failure !== null || (answer.httpStatus ?? 500) >= 500,
  );
  if (ran.shed) throw vendorUnavailable("BuyPower is failing; try again shortly.");
  const answer = ran.value;
  await recordCalls(db(), [answer.call]);
  if (answer.failure || (answer.httpStatus ?? 500) >= 500) {
    throw vendorUnavailable("BuyPower did not answer the meter check; try again shortly.");
  }
  if (!answer.signatureValid) {
    throw new HttpError(
      424,
      "vendor_response_unverified",
      "BuyPower's answer did not carry a valid signature.",
    );
  }
  const body = answer.body;
  if (answer.httpStatus !== 200 || body?.error === true || Number(body?.responseCode) !== 100) {
    throw new HttpError(
      422,
      "meter_not_found",
      body?.message ? String(body.message) : "BuyPower does not know this meter.",
      [
        { path: "meter", message: "not found at the DISCO" },
      ],
    );
  }
  const minKobo = Math.max(
    nairaToKobo(String(body.minVendAmount ?? 100)) ?? MIN_AMOUNT_KOBO,
    MIN_AMOUNT_KOBO,
  );
  const maxKobo = Math.min(
    nairaToKobo(String(body.maxVendAmount ?? 100000)) ?? MAX_AMOUNT_KOBO,
    MAX_AMOUNT_KOBO,
  );
  const numberOrNull = (value: unknown) => (value == null || value === "" ? null : Number(value));
  const text = (value: unknown) => (value == null || value === "" ? null : String(value).slice(0, 300));
  const [saved] = await asService((tx) =>
    tx`
    insert into vending.meters (customer_id, disco_code, meter_number, vend_type, verified_name, address, tariff,
                                tariff_class, min_vend_kobo, max_vend_kobo, outstanding_kobo, verified_at)
    values (${customerId}, ${input.disco}, ${input.meter}, ${input.vendType}, ${text(body.name)}, ${
      text(body.address)
    },
            ${text(body.tariff)}, ${text(body.tariffClass)}, ${minKobo}, ${maxKobo},
            ${nairaToKobo(String(body.outstanding ?? "")) ?? null}, now())
    on conflict (customer_id, disco_code, meter_number, vend_type) do update set
      verified_name = excluded.verified_name, address = excluded.address, tariff = excluded.tariff,
      tariff_class = excluded.tariff_class, min_vend_kobo = excluded.min_vend_kobo,
      max_vend_kobo = excluded.max_vend_kobo, outstanding_kobo = excluded.outstanding_kobo, verified_at = now()
    returning id`
  );
  const info: MeterInfo = {
    meter: input.meter,
    disco: input.disco,
    vendType: input.vendType,
    name: text(body.name),
    address: text(body.address),
    tariff: text(body.tariff),
    tariffClass: text(body.tariffClass),
    minVendAmount: minKobo / 100,
    maxVendAmount: maxKobo / 100,
    outstanding: numberOrNull(body.outstanding),
    debtRepayment: numberOrNull(body.debtRepayment),
    savedMeterId: saved.id,
  };
  if (input.amountKobo !== undefined && (input.amountKobo < minKobo || input.amountKobo > maxKobo)) {
    throw unprocessable(`This meter takes between ₦${info.minVendAmount} and ₦${info.maxVendAmount}.`, [
      { path: "amount", code: "amount_outside_meter_limits", message: "outside the meter's limits", ...info },
    ]);
  }
  return info;
}

// deno-lint-ignore no-explicit-any -- the vend as private.vending_vend_json shapes it
export type VendJson = Record<string, any>;

/**
 * One vend: verified with the vendor, funded (the caller's Paystack payment, or a debit of the prepaid
 * account) and queued in one RPC, then sent at once. 201 with the token when the vendor answers at once, else 202 pending (the queue
 * requeries it).
 */
export async function createVend(claims: Claims, customerId: string, input: VendInput): Promise<{
  status: 201 | 202;
  body: VendJson;
}> {
  const paystackReference = input.funding?.paystackReference ?? null;
  // A payment that cannot fund the vend is refused before anything is written (the meter check saves
  // the meter); create_vend checks it again in its own transaction.
  if (paystackReference !== null) {
    await asService((tx) =>
      rpc(tx, "private.vending_check_payment", {
        customer_id: customerId,
        paystack_reference: paystackReference,
        amount_kobo: input.amount,
      })
    );
  }
  await validateMeter(customerId, {
    meter: input.meter,
    disco: input.disco,
    vendType: input.vendType,
    amountKobo: input.amount,
  });
  const [created] = await asUser(claims, (tx) =>
    tx`
    select vending.create_vend(${input.disco}, ${input.meter}, ${input.vendType}, ${input.amount}, ${input.phone},
                               ${input.email ?? null}, ${input.name ?? null}, ${
      input.orderId ?? null
    }, ${paystackReference}) as vend`);
  const vend = created.vend as VendJson;
  await processOne(vendorDeps(), vend.id);
  const current = await readVend(claims, vend.orderId);
  if (current.status === "succeeded") return { status: 201, body: current };
  return { status: 202, body: { orderId: current.orderId, status: "pending", vend: current } };
}

export async function readVend(claims: Claims, orderId: string): Promise<VendJson> {
  const [row] = await asUser(
    claims,
    (tx) =>
      tx`select private.vending_vend_json(v) as vend from vending.vends v where v.order_id = ${orderId}`,
  );
  if (!row) throw notFound("No such vend.");
  return row.vend as VendJson;
}
