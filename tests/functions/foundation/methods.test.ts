// A path that exists answers a wrong method with 405 and Allow (the methods it does answer); a path
// that does not exist stays 404.
import assert from "node:assert/strict";
import { api, dbTest, envelope } from "../../support/harness.ts";

dbTest("a wrong method is 405 with Allow, an unknown path 404", async () => {
  const cases: [string, string, string][] = [
    ["DELETE", "leads", "GET, HEAD, OPTIONS, POST"],
    ["PUT", "track/events", "OPTIONS, POST"],
    ["GET", "pipeline/plans-import", "POST"],
    ["POST", `leads/${crypto.randomUUID()}`, "GET, HEAD, OPTIONS, PATCH"],
    ["DELETE", "health", "GET, HEAD, OPTIONS"],
  ];
  for (const [method, path, allow] of cases) {
    const response = await api(path, { method });
    assert.equal(response.status, 405, `${method} ${path}: ${response.text}`);
    assert.equal(envelope(response).code, "method_not_allowed");
    assert.equal(response.headers.get("allow"), allow, `${method} ${path}`);
  }
  const missing = await api("leads/a/b/c", { method: "GET" });
  assert.equal(missing.status, 404);
  assert.equal(envelope(missing).code, "route_not_found");
});
