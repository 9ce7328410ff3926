// loyalty: a customer's summary (GET /loyalty/me), the rewards catalog, redemption
// (POST /loyalty/redeem: never drives the balance negative, idempotent per key), and earning by rule for
// services (POST /loyalty/earn: sign-up, referral, review, purchases from the order pipeline).
import { z } from "zod";
import { asService, asUser, rpc, rpcAs } from "../../shared/db.ts";
import {
  caller,
  createApp,
  jsonBody,
  jsonResponse,
  rateLimit,
  requireService,
  requireUser,
  route,
} from "../../shared/http.ts";
import { EarnBody, RedeemBody } from "../../shared/marketing/schemas.ts";

const app = createApp("loyalty", {
  cors: true,
  description: "Loyalty points, tiers and rewards (docs/api/marketing.md#loyalty).",
});

const Summary = z.looseObject({ tier: z.string(), balance: z.number() }).meta({ id: "LoyaltySummary" });
const Redemption = z.object({
  redemptionId: z.uuid(),
  points: z.number().int(),
  duplicate: z.boolean(),
  balance: z.number().int(),
}).meta({ id: "Redemption" });

app.openapi(
  route({
    method: "get",
    path: "/me",
    summary: "The caller's tier, balance, pending points, points expiring soon and recent ledger",
    middleware: [requireUser()],
    responses: { 200: jsonResponse(Summary, "The summary.") },
  }),
  async (c) =>
    c.json(await rpcAs<z.infer<typeof Summary>>((await caller(c)).claims, "marketing.loyalty_me"), 200),
);

app.openapi(
  route({
    method: "get",
    path: "/rewards",
    summary: "The active rewards catalog",
    responses: {
      200: jsonResponse(
        z.object({
          rewards: z.array(z.object({ slug: z.string(), name: z.string(), costPoints: z.number() })),
        }),
        "The catalog.",
      ),
    },
  }),
  async (c) => {
    const rewards = await asUser(
      (await caller(c)).claims,
      (tx) =>
        tx<{ slug: string; name: string; costPoints: number }[]>`
        select slug, name, cost_points as "costPoints" from marketing.rewards where active order by cost_points`,
    );
    return c.json({ rewards: [...rewards] }, 200);
  },
);

// The redemption runs as the service for the verified caller (it writes the ledger, which customers only
// read); the RPC locks the caller's account, so concurrent redemptions queue instead of overspending.
app.openapi(
  route({
    method: "post",
    path: "/redeem",
    summary: "Redeem a reward for points (idempotent per key; never below a zero balance)",
    middleware: [requireUser(), rateLimit("api")],
    request: { body: jsonBody(RedeemBody) },
    responses: {
      201: jsonResponse(Redemption, "Redeemed."),
      200: jsonResponse(Redemption, "Already redeemed under this idempotency key."),
    },
    errors: {
      404: "reward_not_found: no active reward with that slug.",
      409: "insufficient_points: the balance is below the reward's cost.",
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const userId = (await caller(c)).userId!;
    const result = await asService((tx) =>
      rpc<z.infer<typeof Redemption>>(tx, "marketing.loyalty_redeem", {
        account_user: userId,
        reward_slug: input.reward,
        idempotency_key: input.idempotencyKey,
      })
    );
    return result.duplicate ? c.json(result, 200) : c.json(result, 201);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/earn",
    summary: "Earn points by rule for a customer (services: sign-up, referral, review, purchases)",
    middleware: [requireService()],
    request: { body: jsonBody(EarnBody) },
    responses: {
      200: jsonResponse(z.looseObject({ points: z.number() }), "The lot earned (points 0 when capped)."),
    },
    errors: { 404: "rule_not_found", 422: "invalid_amount: a purchase earns on a positive amount." },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const result = await asService((tx) =>
      rpc<{ points: number }>(tx, "marketing.loyalty_earn", {
        account_user: input.userId,
        rule_code: input.rule,
        source_key: input.sourceKey,
        amount: input.amount,
        pending_until: input.pendingUntil,
      })
    );
    return c.json(result, 200);
  },
);

export default app;
