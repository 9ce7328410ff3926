// loyalty: a customer's summary (GET /loyalty/me), the rewards catalog, redemption
// (POST /loyalty/redeem: never drives the balance negative, idempotent per key), and earning by rule for
// services (POST /loyalty/earn: sign-up, referral, review, purchases from the order pipeline).
import { requireRole } from "../../shared/auth.ts";
import { asService, asUser } from "../../shared/db.ts";
import { unauthorized } from "../../shared/errors.ts";
import { caller, createApp, readJson } from "../../shared/http.ts";
import { EarnBody, RedeemBody } from "../../shared/marketing/schemas.ts";

const app = createApp("loyalty", { cors: true });

app.get("/me", async (c) => {
  const who = await caller(c);
  if (who.role !== "authenticated") throw unauthorized();
  const [row] = await asUser(who.claims, (tx) => tx`select marketing.loyalty_me() as me`);
  return c.json(row.me);
});

app.get("/rewards", async (c) => {
  const who = await caller(c);
  const rewards = await asUser(
    who.claims,
    (tx) =>
      tx`select slug, name, cost_points as "costPoints" from marketing.rewards where active order by cost_points`,
  );
  return c.json({ rewards });
});

// The redemption runs as the service for the verified caller (it writes the ledger, which customers
// only read); the RPC locks the caller's account, so concurrent redemptions queue up.
app.post("/redeem", async (c) => {
  const who = await caller(c);
  if (who.role !== "authenticated" || !who.userId) throw unauthorized();
  const input = await readJson(c, RedeemBody);
  const [row] = await asService((tx) =>
    tx`select marketing.loyalty_redeem(${who.userId!}, ${input.reward}, ${input.idempotencyKey}) as result`
  );
  return c.json(row.result, row.result.duplicate ? 200 : 201);
});

app.post("/earn", async (c) => {
  requireRole(await caller(c), []);
  const input = await readJson(c, EarnBody);
  const [row] = await asService((tx) =>
    tx`select marketing.loyalty_earn(${input.userId}, ${input.rule}, ${input.sourceKey}, ${
      input.amount ?? null
    },
                                     ${input.pendingUntil ?? null}) as result`
  );
  return c.json(row.result);
});

export default app;
