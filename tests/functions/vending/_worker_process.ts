// A queue worker in its own process, for the kill test: drains one lane against the fake BuyPower
// with short lease and visibility timeouts (2 s), so a successor can take over soon after a kill.
import "../../support/function-env.ts";
import { db } from "../../../shared/db.ts";
import { BuyPowerClient } from "../../../shared/vending/buypower.ts";
import { createVendorBreaker } from "../../../shared/vending/breaker.ts";
import { processQueue } from "../../../shared/vending/worker.ts";

const lane = Deno.env.get("VENDING_LANE")!;
const deps = {
  sql: db(),
  client: new BuyPowerClient({
    baseUrl: Deno.env.get("FAKE_BUYPOWER_URL")!,
    apiKey: Deno.env.get("FAKE_BUYPOWER_KEY")!,
    timeoutMs: 2000,
  }),
  breaker: createVendorBreaker({ consecutiveFailures: 5, openMs: 1000, timeoutMs: 3000, maxInFlight: 50 }),
  maxRequeries: 20,
  backoffBaseSeconds: 0.05,
  releaseSeconds: 0.2,
};
for (let round = 0; round < 200; round++) {
  const report = await processQueue(deps, { lane, visibilitySeconds: 2, leaseSeconds: 2, budgetMs: 10_000 });
  if (report.leased && report.processed === 0) break;
  if (!report.leased) await new Promise((resolve) => setTimeout(resolve, 200));
}
await db().end();
