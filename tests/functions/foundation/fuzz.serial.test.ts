// Hostile input never reaches a 5xx. Driven by the OpenAPI documents every function serves (the
// fuzzer in tests/support/fuzzer.ts), sent as an admin (service key for service-only routes) so the
// requests get past authorization to validation and the handlers. Any 5xx fails.
// Serial: its load would make timing-sensitive tests of other files fail open.
import assert from "node:assert/strict";
import { functionEntries } from "../../../supabase/local/gateway.ts";
import { api, dbTest, FUNCTIONS_URL, serviceRoleKey, tokenFor, uniqueIp } from "../../support/harness.ts";
import { describeFailures, type Document, fuzz, sendTo } from "../../support/fuzzer.ts";

const entries = await functionEntries();

for (const entry of entries) {
  dbTest(`${entry.name}: hostile input to every documented route answers below 500`, async () => {
    const document = (await api(`${entry.name}/openapi.json`)).body as Document;
    const admin = await tokenFor("admin");
    const service = await serviceRoleKey();
    const report = await fuzz({
      document,
      send: sendTo(FUNCTIONS_URL),
      tokenFor: (operation) => operation.description?.includes("Service key only") ? service : admin,
      clientIp: uniqueIp,
    });
    assert.ok(report.probes > 0);
    assert.deepEqual(
      describeFailures(report.failures),
      [],
      `${report.failures.length} of ${report.probes} probes reached a 5xx`,
    );
  });
}
