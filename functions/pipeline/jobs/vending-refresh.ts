// POST /pipeline/vending-refresh: asks BuyPower which DISCOs are up (GET /discos/status) and what the
// operator wallet holds (GET /wallet/balance); pg_cron calls it every 5 minutes.
import { refreshFromVendor } from "../../../shared/vending/refresh.ts";
import type { PipelineJob } from "./job.ts";

export const vendingRefresh: PipelineJob = {
  name: "vending-refresh",
  description: "Refreshes DISCO up/down status and the BuyPower wallet balance.",
  run: async () => ({ ...(await refreshFromVendor()) }),
};
