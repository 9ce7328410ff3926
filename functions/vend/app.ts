// vend: prepaid electricity through BuyPower. Meter validation, single vends (Idempotency-Key; funded
// by a Paystack payment or the prepaid account; 201 with the token when the vendor answers at once,
// else 202 pending), CSV batches (streamed; progress and a results CSV), the customer's prepaid
// account, and operator routes (top-up, resume, counts).
// Handlers parse, authorize, call one service or RPC and shape the answer; shared/vending does the rest.
import { z } from "zod";
import { asUser, rpcAs } from "../../shared/db.ts";
import { HttpError, notFound } from "../../shared/errors.ts";
import { idempotent } from "../../shared/idempotency.ts";
import {
  caller,
  createApp,
  errorResponseDoc,
  jsonBody,
  jsonResponse,
  MAX_BODY_BYTES,
  rateLimit,
  requireRoles,
  requireUser,
  route,
} from "../../shared/http.ts";
import { resolveWindow, WindowQuery } from "../../shared/window.ts";
import { MAX_BATCH_BYTES, readBatch, resultsCsv, uploadBatch } from "../../shared/vending/batches.ts";
import { createVend, readVend, validateMeter } from "../../shared/vending/service.ts";
import { nairaToKobo, ValidateSchema, VendSchema } from "../../shared/vending/validation.ts";

const app = createApp("vend", {
  cors: true,
  description: "Prepaid electricity in Nigeria through BuyPower (docs/api/vending.md).",
  // The batch upload streams up to 32 MiB (100,000 rows) and caps itself; everything else is JSON.
  maxBodyBytes: (
    c,
  ) => (c.req.method === "POST" && c.req.path === "/vend/batches" ? MAX_BATCH_BYTES : MAX_BODY_BYTES),
});

const userId = async (c: Parameters<typeof caller>[0]) => (await caller(c)).userId!;

const Vend = z.looseObject({
  orderId: z.string(),
  status: z.enum(["created", "submitted", "pending", "succeeded", "failed", "needs_attention"]),
  token: z.string().optional(),
  units: z.number().optional(),
  amountKobo: z.number().int(),
}).meta({ id: "Vend", description: "A vend as docs/api/vending.md describes it." });

const MeterInfo = z.object({
  meter: z.string(),
  disco: z.string(),
  vendType: z.enum(["PREPAID", "POSTPAID"]),
  name: z.string().nullable(),
  address: z.string().nullable(),
  tariff: z.string().nullable(),
  tariffClass: z.string().nullable(),
  minVendAmount: z.number(),
  maxVendAmount: z.number(),
  outstanding: z.number().nullable(),
  debtRepayment: z.number().nullable(),
  savedMeterId: z.uuid(),
}).meta({ id: "MeterInfo" });

const Rejection = z.object({ line: z.number().int(), code: z.string(), message: z.string() });
const BatchAccepted = z.object({
  batchId: z.uuid(),
  accepted: z.number().int(),
  rowCount: z.number().int(),
  rejectedCount: z.number().int(),
  rejected: z.array(Rejection).meta({ description: "The first 1,000 rejected rows; results.csv has all." }),
}).meta({ id: "BatchAccepted" });

const Batch = z.looseObject({
  batchId: z.uuid(),
  status: z.enum(["processing", "completed"]),
  rowCount: z.number().int(),
  accepted: z.number().int(),
  rejectedCount: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
}).meta({ id: "Batch" });

const vendorErrors = {
  503: "vendor_unavailable: BuyPower did not answer, or its breaker is open; retry after Retry-After.",
} as const;

app.openapi(
  route({
    method: "post",
    path: "/validate",
    summary: "Check a meter with BuyPower: owner name, address, tariff and limits",
    tags: ["vend"],
    middleware: [requireUser(), rateLimit("api", userId)],
    request: { body: jsonBody(ValidateSchema) },
    responses: {
      200: jsonResponse(MeterInfo, "The meter as BuyPower knows it (saved for the caller)."),
      424: errorResponseDoc("vendor_response_unverified: BuyPower's answer failed its signature check."),
    },
    errors: {
      ...vendorErrors,
      422:
        "validation_failed, unknown_disco, disco_unavailable, meter_not_found, amount_outside_meter_limits.",
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const amountKobo = input.amount === undefined ? undefined : nairaToKobo(input.amount);
    if (amountKobo === null) {
      throw new HttpError(422, "validation_failed", "The amount is naira with at most two decimals.", [
        { path: "amount", message: "not an amount" },
      ]);
    }
    return c.json(await validateMeter(await userId(c), { ...input, amountKobo }), 200);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/",
    summary: "Vend electricity: funded by a Paystack payment or the prepaid account, sent at once",
    description:
      "Needs an Idempotency-Key. Funded before it is sent: `funding.paystackReference` names the " +
      "caller's succeeded NGN Paystack payment (one vend per payment, refunded through commerce if the vend " +
      "fails); without it the prepaid account is debited. 201 with the token when BuyPower answers at once, " +
      "202 pending otherwise (the queue requeries it under the same orderId).",
    tags: ["vend"],
    middleware: [
      requireUser(),
      rateLimit("api", userId),
      idempotent({ scope: "vend", owner: userId }),
    ],
    request: {
      headers: z.object({ "idempotency-key": z.string().min(8).max(255) }),
      body: jsonBody(VendSchema),
    },
    responses: {
      201: jsonResponse(Vend, "Vended: the token and units."),
      202: jsonResponse(
        z.object({ orderId: z.string(), status: z.literal("pending"), vend: Vend }),
        "Accepted; the outcome is not known yet. Poll GET /vend/{orderId}.",
      ),
      402: errorResponseDoc("insufficient_funds: the prepaid account does not cover the amount."),
      424: errorResponseDoc("vendor_response_unverified: BuyPower's meter check failed its signature check."),
    },
    errors: {
      ...vendorErrors,
      409: "duplicate_order_id (an orderId used before), payment_already_used (the payment funded a vend), " +
        "payment_not_settled (Paystack has not confirmed it yet; retry with a new key), idempotency_key_in_flight.",
      422:
        "validation_failed, unknown_disco, disco_unavailable, meter_not_found, amount_outside_meter_limits, " +
        "payment_not_found, payment_failed, payment_currency_mismatch, payment_too_small, idempotency_key_reused.",
    },
  }),
  async (c) => {
    const who = await caller(c);
    const answer = await createVend(who.claims, who.userId!, c.req.valid("json"));
    return answer.status === 201
      ? c.json(answer.body as z.infer<typeof Vend>, 201)
      : c.json(answer.body as { orderId: string; status: "pending"; vend: z.infer<typeof Vend> }, 202);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/batches",
    summary: "Upload a CSV batch of vends (streamed)",
    description: "text/csv with the header meter,disco,vendType,amount,phone,email,name (meter, disco, " +
      "amount, phone required); at most 100,000 rows and 32 MiB. Needs an Idempotency-Key: the same file " +
      "with the same key creates one batch. Rows that fail validation are rejected with their line.",
    tags: ["batches"],
    middleware: [requireUser()],
    request: { headers: z.object({ "idempotency-key": z.string().min(8).max(255) }) },
    responses: {
      202: jsonResponse(BatchAccepted, "The batch was accepted; its vends are queued."),
      400: errorResponseDoc("malformed_csv, wrong_headers, empty_batch, idempotency_key_required."),
      413: errorResponseDoc("payload_too_large, too_many_rows."),
      415: errorResponseDoc("unsupported_media_type: send text/csv."),
    },
    errors: {
      409: "idempotency_key_in_flight: the first upload with this key is still running.",
      422: "idempotency_key_reused: the key was used for a different file.",
    },
  }),
  async (c) => {
    const type = c.req.header("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
    if (type !== "text/csv") {
      throw new HttpError(415, "unsupported_media_type", "Send the batch as text/csv.");
    }
    const body = c.req.raw.body;
    if (!body) throw new HttpError(400, "empty_batch", "The request has no body.");
    const answer = await uploadBatch(await userId(c), c.req.header("idempotency-key")!, {
      fileName: c.req.header("x-file-name")?.slice(0, 255) ?? null,
      body,
    });
    if (answer.replayed) c.header("Idempotent-Replayed", "true");
    return c.json(answer.body, 202);
  },
);

const BatchParams = z.object({ id: z.string().meta({ description: "The batch id (a UUID)." }) });
function batchId(raw: string): string {
  const parsed = z.uuid().safeParse(raw);
  if (!parsed.success) throw notFound("No such batch.");
  return parsed.data;
}

app.openapi(
  route({
    method: "get",
    path: "/batches/{id}",
    summary: "A batch's progress and counts by status",
    tags: ["batches"],
    middleware: [requireUser()],
    request: { params: BatchParams },
    responses: { 200: jsonResponse(Batch, "The batch.") },
    errors: { 404: "not_found: no such batch (or not yours)." },
  }),
  async (c) => {
    const who = await caller(c);
    return c.json(
      await readBatch(who.claims, batchId(c.req.valid("param").id)) as z.infer<typeof Batch>,
      200,
    );
  },
);

app.openapi(
  route({
    method: "get",
    path: "/batches/{id}/results.csv",
    summary: "The outcome of every row (CSV, formula-injection safe)",
    tags: ["batches"],
    middleware: [requireUser()],
    request: { params: BatchParams },
    responses: {
      200: {
        description: "line,status,orderId,meter,disco,vendType,amount,token,units,receiptNo,code,message",
        content: { "text/csv": { schema: z.string() } },
      },
    },
    errors: { 404: "not_found: no such batch (or not yours)." },
  }),
  async (c) => {
    const who = await caller(c);
    const id = batchId(c.req.valid("param").id);
    return c.body(await resultsCsv(who.claims, id), 200, {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="batch-${id}-results.csv"`,
      "Cache-Control": "no-store",
    });
  },
);

const Account = z.object({ balanceKobo: z.number().int(), ledger: z.array(z.looseObject({})) }).meta({
  id: "VendingAccount",
});

app.openapi(
  route({
    method: "get",
    path: "/account",
    summary: "The caller's prepaid balance and latest ledger entries",
    tags: ["account"],
    middleware: [requireUser()],
    responses: { 200: jsonResponse(Account, "Balance (kobo) and the last 50 ledger rows.") },
  }),
  async (c) => {
    const who = await caller(c);
    const [row] = await asUser(who.claims, (tx) =>
      tx`
      select coalesce((select balance_kobo from vending.accounts where customer_id = ${who
        .userId!}), 0) as balance,
             coalesce((select jsonb_agg(l order by l.id desc) from (
                select id, kind, amount_kobo as "amountKobo", balance_after_kobo as "balanceAfterKobo",
                       vend_id as "vendId", note, created_at as "createdAt"
                from vending.account_ledger where customer_id = ${who.userId!} order by id desc limit 50) l),
                      '[]') as ledger`);
    return c.json({ balanceKobo: Number(row.balance), ledger: row.ledger }, 200);
  },
);

const TopUp = z.strictObject({
  customerId: z.uuid(),
  amount: z.union([z.number(), z.string()]).meta({ description: "Naira, at most two decimals." }),
  note: z.string().max(200).optional(),
});

app.openapi(
  route({
    method: "post",
    path: "/accounts/top-up",
    summary: "Top up a customer's prepaid account",
    tags: ["operators"],
    middleware: [requireRoles("admin")],
    request: { body: jsonBody(TopUp) },
    responses: {
      200: jsonResponse(
        z.object({ customerId: z.uuid(), balanceKobo: z.number().int() }),
        "The new balance.",
      ),
    },
    errors: { 404: "customer_not_found.", 422: "validation_failed, invalid_amount." },
  }),
  async (c) => {
    const who = await caller(c);
    const input = c.req.valid("json");
    const amountKobo = nairaToKobo(input.amount);
    if (amountKobo === null || amountKobo <= 0) {
      throw new HttpError(
        422,
        "invalid_amount",
        "A top-up is a positive naira amount with at most two decimals.",
      );
    }
    const result = await rpcAs<{ customerId: string; balanceKobo: number }>(
      who.claims,
      "vending.top_up_account",
      {
        customer_id: input.customerId,
        amount_kobo: amountKobo,
        note: input.note,
      },
    );
    return c.json(result, 200);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/queue/resume",
    summary: "Resume a queue that an empty BuyPower wallet paused",
    tags: ["operators"],
    middleware: [requireRoles("admin", "support")],
    responses: { 200: jsonResponse(z.object({ paused: z.boolean() }), "The queue runs again.") },
  }),
  async (c) =>
    c.json(await rpcAs<{ paused: boolean }>((await caller(c)).claims, "vending.resume_queue"), 200),
);

app.openapi(
  route({
    method: "get",
    path: "/counts",
    summary: "Vends by status and vendor calls by response code in a window",
    tags: ["operators"],
    middleware: [requireRoles("admin", "analyst", "support")],
    request: { query: WindowQuery },
    responses: { 200: jsonResponse(z.looseObject({ from: z.string(), to: z.string() }), "The counts.") },
  }),
  async (c) => {
    const window = resolveWindow(c.req.valid("query"));
    const counts = await rpcAs<Record<string, unknown>>((await caller(c)).claims, "vending.vend_counts", {
      window_from: window.from.toISOString(),
      window_to: window.to.toISOString(),
    });
    return c.json({ from: window.from.toISOString(), to: window.to.toISOString(), ...counts }, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/{orderId}",
    summary: "A vend's state (the token once it succeeded)",
    tags: ["vend"],
    middleware: [requireUser()],
    request: { params: z.object({ orderId: z.string().meta({ description: "The vend's orderId." }) }) },
    responses: { 200: jsonResponse(Vend, "The vend.") },
    errors: { 404: "not_found: no such vend (or not yours)." },
  }),
  async (c) => {
    const who = await caller(c);
    const parsed = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).safeParse(c.req.valid("param").orderId);
    if (!parsed.success) throw notFound("No such vend.");
    return c.json(await readVend(who.claims, parsed.data) as z.infer<typeof Vend>, 200);
  },
);

export default app;
