// The tracking module validates its own settings: defaults when unset, a malformed value names itself.
import assert from "node:assert/strict";
import { ConfigError } from "../../../shared/env.ts";
import { parseTrackingSettings } from "../../../shared/tracking/settings.ts";

Deno.test("tracking settings default when unset and parse when given", () => {
  const defaults = parseTrackingSettings({});
  assert.equal(defaults.TRACKING_COALESCE_CALLS, 1);
  assert.equal(defaults.TRACKING_COALESCE_MAX_EVENTS, 2000);
  assert.equal(defaults.TRACKING_BREAKER_P95_MS, undefined);
  const given = parseTrackingSettings({ TRACKING_BREAKER_P95_MS: "250", TRACKING_COALESCE_CALLS: "2" });
  assert.equal(given.TRACKING_BREAKER_P95_MS, 250);
  assert.equal(given.TRACKING_COALESCE_CALLS, 2);
});

Deno.test("a malformed tracking setting fails with its name", () => {
  assert.throws(
    () => parseTrackingSettings({ TRACKING_MAX_IN_FLIGHT: "-3", TRACKING_COALESCE_MAX_EVENTS: "lots" }),
    (
      error: unknown,
    ) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.variables.sort(), ["TRACKING_COALESCE_MAX_EVENTS", "TRACKING_MAX_IN_FLIGHT"]);
      return true;
    },
  );
});
