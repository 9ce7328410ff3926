// plans: ranks the electricity plans available at a Texas ZIP or city by estimated annual cost, or
// compares 2–5 chosen plans side by side. The ranking itself is the energy.compare_plans RPC (which
// browsers may also call through the Data API); this function adds validation, rate limits and the
// error envelope, and runs the RPC as the caller so RLS decides what is visible.
import { z } from "zod";
import { rpcAs } from "../../shared/db.ts";
import { caller, createApp, jsonBody, jsonResponse, rateLimit, route } from "../../shared/http.ts";
import { CompareRequest } from "./schemas.ts";

const app = createApp("plans", {
  cors: true,
  description: "Plan ranking and side-by-side comparison (docs/api/energy.md).",
});

const CompareAnswer = z.looseObject({
  mode: z.enum(["ranking", "side_by_side"]),
}).meta({ id: "PlanComparison", description: "energy.compare_plans' answer plus the mode." });

app.openapi(
  route({
    method: "post",
    path: "/compare",
    summary: "Rank the plans at a ZIP or city by estimated annual cost, or compare 2-5 plans",
    tags: ["plans"],
    middleware: [rateLimit("api")],
    request: { body: jsonBody(CompareRequest) },
    responses: {
      200: jsonResponse(CompareAnswer, "The ranked or compared plans with their cost estimates."),
    },
    errors: {
      404: "unknown_zip / unknown_city: the location is not a known Texas ZIP code or city.",
      422: "validation_failed (zod's issues in details), or the RPC's refusal: zip_outside_texas, " +
        "retail_choice_unavailable, invalid_usage, invalid_plan_ids.",
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const who = await caller(c);
    const result = await rpcAs<Record<string, unknown>>(who.claims, "energy.compare_plans", {
      usage_kwh: Array.isArray(body.usageKwh) ? body.usageKwh : [body.usageKwh],
      zip: body.zip,
      city_id: body.cityId,
      plan_ids: body.planIds,
      filters: body.filters,
      session_id: body.sessionId,
      max_results: body.limit,
      plan_language: body.language,
    });
    return c.json({ ...result, mode: body.planIds ? "side_by_side" as const : "ranking" as const }, 200);
  },
);

export default app;
