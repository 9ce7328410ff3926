// plans: ranks the electricity plans available at a Texas ZIP or city by estimated annual cost, or
// compares 2–5 chosen plans side by side. The ranking itself is the energy.compare_plans RPC (which
// browsers may also call through the Data API); this function adds validation, rate limits and the
// error envelope, and runs the RPC as the caller so RLS decides what is visible.
import { asUser } from "../../shared/db.ts";
import { caller, createApp, rateLimit, readJson } from "../../shared/http.ts";
import { CompareRequest } from "./schemas.ts";

const app = createApp("plans", { cors: true });

app.post("/compare", rateLimit("api"), async (c) => {
  const body = await readJson(c, CompareRequest);
  const who = await caller(c);
  const usage = Array.isArray(body.usageKwh) ? body.usageKwh : [body.usageKwh];
  const result = await asUser(who.claims, async (tx) => {
    const [row] = await tx`
      select energy.compare_plans(
        usage_kwh => ${usage}::int[], zip => ${body.zip ?? null}, city_id => ${body.cityId ?? null},
        plan_ids => ${body.planIds ?? null}::bigint[], filters => ${tx.json(body.filters)},
        session_id => ${body.sessionId ?? null}, max_results => ${body.limit},
        plan_language => ${body.language}) as result`;
    return row.result;
  });
  return c.json({ ...result, mode: body.planIds ? "side_by_side" : "ranking" });
});

export default app;
