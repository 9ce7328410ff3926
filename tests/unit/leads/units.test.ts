// Pure units behind the leads function: phone normalization, CSV rows to lead objects, and the
// detector for script/SQL fragments.
import assert from "node:assert/strict";
import { csvRecordToLead, suspiciousFields } from "../../../shared/leads/intake.ts";
import { CaptureSchema, normalizePhone } from "../../../shared/leads/schemas.ts";

Deno.test("phones normalize to E.164", () => {
  assert.equal(normalizePhone("(713) 555-0142"), "+17135550142");
  assert.equal(normalizePhone("1-713-555-0142"), "+17135550142");
  assert.equal(normalizePhone("713.555.0142"), "+17135550142");
  assert.equal(normalizePhone("+44 20 7946 0958"), "+442079460958");
  assert.equal(normalizePhone("+234 803 123 4567"), "+2348031234567");
  assert.equal(normalizePhone("555-0142"), null, "too short");
  assert.equal(normalizePhone("(113) 555-0142"), null, "NANP area codes start with 2-9");
  assert.equal(normalizePhone("713-555-0142 ext 9"), null, "letters are not a phone");
  assert.equal(normalizePhone("+0 123 456 789"), null, "country codes start with 1-9");
});

Deno.test("capture validation normalizes and enforces the cross-field rules", () => {
  const parsed = CaptureSchema.parse({
    kind: "business",
    email: "  Ops@Example.COM ",
    zip: "77002-1234",
    industry: "Oil and Gas",
  });
  assert.equal(parsed.email, "ops@example.com");
  assert.equal(parsed.zip, "77002");
  assert.equal(parsed.industry, "oil_and_gas");
  assert.equal(
    CaptureSchema.safeParse({ kind: "consumer", email: "a@b.co" }).success,
    false,
    "consent needed",
  );
  assert.equal(CaptureSchema.safeParse({ kind: "business" }).success, false, "a contact is needed");
  assert.equal(CaptureSchema.safeParse({ kind: "business", email: "a@b.co", latitude: 1 }).success, false);
});

Deno.test("CSV records become lead objects with numbers, booleans, utm and plants", () => {
  const lead = csvRecordToLead({
    kind: "business",
    companySize: "120",
    latitude: "abc",
    consent: "yes",
    utm_source: "directory",
    "utm.campaign": "q4",
    plants: '[{"name":"A","latitude":1,"longitude":2}]',
  });
  assert.deepEqual(lead, {
    kind: "business",
    companySize: 120,
    latitude: "abc",
    consent: true,
    utm: { source: "directory", campaign: "q4" },
    plants: [{ name: "A", latitude: 1, longitude: 2 }],
  });
});

Deno.test("script and SQL fragments are flagged, ordinary text is not", () => {
  assert.deepEqual(
    suspiciousFields({
      firstName: "<script>alert(1)</script>",
      companyName: "x'; DROP TABLE leads;--",
      utm: { content: "1' OR '1'='1" },
      lastName: "O'Neil",
      city: "Boston",
      industry: "Lyondell = chemicals",
    }).sort(),
    ["companyName", "firstName", "utm.content"],
  );
});
