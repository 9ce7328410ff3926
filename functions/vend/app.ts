// vend: prepaid electricity through BuyPower. Meter validation, single vends (Idempotency-Key; 201
// with the token when the vendor answers at once, else 202 pending), CSV batches (streamed; progress
// and a results CSV), the customer's prepaid account, and operator routes (top-up, resume, counts).
// Handlers parse, authorize, call one service or RPC and shape the answer; shared/vending does the rest.
import { z } from "zod";
import { requireRole } from "../../shared/auth.ts";
import { asUser } from "../../shared/db.ts";
import { HttpError, notFound, unauthorized } from "../../shared/errors.ts";
import {
  type AppContext,
  caller,
  createApp,
  MAX_BODY_BYTES,
  rateLimit,
  readJson,
  readQuery,
} from "../../shared/http.ts";
import { resolveWindow, WindowQuery } from "../../shared/window.ts";
import {
  hashBody,
  ingestBatch,
  MAX_BATCH_BYTES,
  readBatch,
  resultsCsv,
} from "../../shared/vending/batches.ts";
import { sha256Hex, withIdempotency } from "../../shared/vending/idempotency.ts";
import { createVend, readVend, validateMeter } from "../../shared/vending/service.ts";
import { nairaToKobo, ValidateSchema, VendSchema } from "../../shared/vending/validation.ts";

const app = createApp("vend", {
  cors: true,
  // The batch upload streams up to 32 MiB (100,000 rows) and caps itself; everything else is JSON.
  maxBodyBytes: (
    c,
  ) => (c.req.method === "POST" && c.req.path === "/vend/batches" ? MAX_BATCH_BYTES : MAX_BODY_BYTES),
});

/** A signed-in user (every user is a customer of their own vends). */
async function customer(c: AppContext) {
  const who = await caller(c);
  if (who.role !== "authenticated" || !who.userId) throw unauthorized();
  return who;
}

app.post("/validate", rateLimit("api", async (c) => (await customer(c)).userId!), async (c) => {
  const who = await customer(c);
  const input = await readJson(c, ValidateSchema);
  const amountKobo = input.amount === undefined ? undefined : nairaToKobo(input.amount);
  if (amountKobo === null) {
    throw new HttpError(422, "validation_failed", "The amount is naira with at most two decimals.", [
      { path: "amount", message: "not an amount" },
    ]);
  }
  return c.json(await validateMeter(who.userId!, { ...input, amountKobo }));
});

app.post("/", rateLimit("api", async (c) => (await customer(c)).userId!), async (c) => {
  const who = await customer(c);
  const text = await c.req.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed_json", "The request body is not valid JSON.");
  }
  const input = VendSchema.parse(data);
  return await withIdempotency(c, "vend", who.userId!, await sha256Hex(JSON.stringify(input)), async () => {
    const answer = await createVend(who.claims, who.userId!, input);
    return { status: answer.status, body: answer.body };
  });
});

app.post("/batches", async (c) => {
  const who = await customer(c);
  const type = c.req.header("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
  if (type !== "text/csv") throw new HttpError(415, "unsupported_media_type", "Send the batch as text/csv.");
  const body = c.req.raw.body;
  if (!body) throw new HttpError(400, "empty_batch", "The request has no body.");
  const fileName = c.req.header("x-file-name")?.slice(0, 255) ?? null;
  return await withIdempotency(
    c,
    "batch",
    who.userId!,
    null,
    async () => {
      const { hash, ...accepted } = await ingestBatch(who.userId!, fileName, body);
      return { status: 202, body: accepted, hash };
    },
    () => hashBody(body),
  );
});

const BatchId = z.uuid();
function batchId(raw: string): string {
  const parsed = BatchId.safeParse(raw);
  if (!parsed.success) throw notFound("No such batch.");
  return parsed.data;
}

app.get("/batches/:id", async (c) => {
  const who = await customer(c);
  return c.json(await readBatch(who.claims, batchId(c.req.param("id"))));
});

app.get("/batches/:id/results.csv", async (c) => {
  const who = await customer(c);
  const id = batchId(c.req.param("id"));
  return c.body(await resultsCsv(who.claims, id), 200, {
    "Content-Type": "text/csv; charset=utf-8; header=present",
    "Content-Disposition": `attachment; filename="batch-${id}-results.csv"`,
    "Cache-Control": "no-store",
  });
});

app.get("/account", async (c) => {
  const who = await customer(c);
  const [row] = await asUser(who.claims, (tx) =>
    tx`
    select coalesce((select balance_kobo from vending.accounts where customer_id = ${who
      .userId!}), 0) as balance,
           coalesce((select jsonb_agg(l order by l.id desc) from (
              select id, kind, amount_kobo as "amountKobo", balance_after_kobo as "balanceAfterKobo", vend_id as "vendId",
                     note, created_at as "createdAt"
              from vending.account_ledger where customer_id = ${who
      .userId!} order by id desc limit 50) l), '[]') as ledger`);
  return c.json({ balanceKobo: Number(row.balance), ledger: row.ledger });
});

const TopUp = z.strictObject({
  customerId: z.uuid(),
  amount: z.union([z.number(), z.string()]),
  note: z.string().max(200).optional(),
});

app.post("/accounts/top-up", async (c) => {
  const who = await caller(c);
  requireRole(who, ["admin"]);
  const input = await readJson(c, TopUp);
  const amountKobo = nairaToKobo(input.amount);
  if (amountKobo === null || amountKobo <= 0) {
    throw new HttpError(
      422,
      "invalid_amount",
      "A top-up is a positive naira amount with at most two decimals.",
    );
  }
  const [row] = await asUser(
    who.claims,
    (tx) =>
      tx`select vending.top_up_account(${input.customerId}, ${amountKobo}, ${input.note ?? null}) as result`,
  );
  return c.json(row.result);
});

app.post("/queue/resume", async (c) => {
  const who = await caller(c);
  requireRole(who, ["admin", "support"]);
  const [row] = await asUser(who.claims, (tx) => tx`select vending.resume_queue() as result`);
  return c.json(row.result);
});

app.get("/counts", async (c) => {
  const who = await caller(c);
  requireRole(who, ["admin", "analyst", "support"]);
  const window = resolveWindow(readQuery(c, WindowQuery));
  const [row] = await asUser(
    who.claims,
    (tx) =>
      tx`select vending.vend_counts(${window.from.toISOString()}, ${window.to.toISOString()}) as counts`,
  );
  return c.json({ from: window.from.toISOString(), to: window.to.toISOString(), ...row.counts });
});

const OrderId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
app.get("/:orderId", async (c) => {
  const who = await customer(c);
  const parsed = OrderId.safeParse(c.req.param("orderId"));
  if (!parsed.success) throw notFound("No such vend.");
  return c.json(await readVend(who.claims, parsed.data));
});

export default app;
