// The rule in pure code: what each BuyPower answer means for a vend, signatures, backoff, input rules.
import assert from "node:assert/strict";
import { signBody, type VendorAnswer, verifySignature } from "../../../shared/vending/buypower.ts";
import { backoffSeconds, decideRequery, decideSubmit } from "../../../shared/vending/outcomes.ts";
import {
  BatchRowSchema,
  meterProblem,
  nairaToKobo,
  normalizePhone,
  rowCode,
  VendSchema,
} from "../../../shared/vending/validation.ts";

const success = {
  status: true,
  responseCode: 200,
  data: {
    responseCode: 100,
    token: "1234-5678-9012-3456-7890",
    units: "12.3",
    vendRef: "V1",
    receiptNo: "R1",
  },
};

function answer(
  httpStatus: number | null,
  body: unknown,
  signatureValid = true,
  failure: VendorAnswer["failure"] = null,
) {
  // deno-lint-ignore no-explicit-any
  const b = body as any;
  const code = Number(b?.data?.responseCode ?? b?.responseCode);
  return {
    httpStatus,
    code: Number.isFinite(code) ? code : httpStatus,
    signatureValid,
    body: signatureValid ? body : null,
    failure,
    message: "",
    call: {} as never,
  } as VendorAnswer;
}

Deno.test("a verified success carries the token", () => {
  const decision = decideSubmit(answer(200, success), "PREPAID");
  assert.equal(decision.settlement, "succeeded");
  assert.equal(decision.result?.token, "1234-5678-9012-3456-7890");
  assert.equal(decision.result?.units, 12.3);
});

Deno.test("an unverified success is unknown: requeried, no token taken", () => {
  const decision = decideSubmit(answer(200, success, false), "PREPAID");
  assert.equal(decision.settlement, "pending");
  assert.equal(decision.result, undefined);
});

Deno.test("unknown outcomes are requeried, never failed or resent", () => {
  for (const status of [409, 500, 502]) {
    assert.equal(
      decideSubmit(answer(status, { status: false, responseCode: status }), "PREPAID").settlement,
      "pending",
    );
  }
  assert.equal(decideSubmit(answer(null, null, false, "timeout"), "PREPAID").settlement, "pending");
  const accepted = decideSubmit(
    answer(202, { status: false, responseCode: 202, delay: [120, 60] }),
    "PREPAID",
  );
  assert.equal(accepted.settlement, "pending");
  assert.deepEqual(accepted.requeryDelays, [120, 60]);
  assert.equal(accepted.delaySeconds, 120);
});

Deno.test("final refusals fail; an empty wallet pauses; 503 resubmits the same order", () => {
  assert.equal(decideSubmit(answer(400, { responseCode: 400 }), "PREPAID").settlement, "failed");
  assert.equal(decideSubmit(answer(501, { responseCode: 501 }), "PREPAID").settlement, "failed");
  const empty = decideSubmit(answer(422, { responseCode: 422 }), "PREPAID");
  assert.equal(empty.settlement, "resubmit");
  assert.equal(empty.pauseQueue, true);
  assert.equal(decideSubmit(answer(503, { responseCode: 503 }), "PREPAID").vendorFailure, true);
  assert.equal(decideSubmit(answer(422, { responseCode: 422 }), "PREPAID").vendorFailure, false);
});

Deno.test("requery answers", () => {
  assert.equal(decideRequery(answer(200, success), "PREPAID").settlement, "succeeded");
  assert.equal(decideRequery(answer(201, { responseCode: 201 }), "PREPAID").settlement, "pending");
  assert.equal(decideRequery(answer(202, { responseCode: 202 }), "PREPAID").settlement, "failed");
  assert.equal(decideRequery(answer(203, { responseCode: 203 }), "PREPAID").settlement, "resubmit");
  assert.equal(decideRequery(answer(404, { responseCode: 404, code: 20 }), "PREPAID").settlement, "resubmit");
  assert.equal(decideRequery(answer(404, { responseCode: 404 }), "PREPAID").settlement, "pending");
  assert.equal(decideRequery(answer(429, { responseCode: 429 }), "PREPAID").settlement, "pending");
  assert.equal(decideRequery(answer(200, success, false), "PREPAID").settlement, "pending");
});

Deno.test("a prepaid success without a well-formed token is not a success", () => {
  const noToken = { ...success, data: { ...success.data, token: "" } };
  assert.equal(decideSubmit(answer(200, noToken), "PREPAID").settlement, "pending");
  assert.equal(decideSubmit(answer(200, noToken), "POSTPAID").settlement, "succeeded");
  const short = { ...success, data: { ...success.data, token: "1234-5678" } };
  assert.equal(decideSubmit(answer(200, short), "PREPAID").settlement, "pending");
});

Deno.test("signatures: SHA-512 of body + key, compared in constant time", () => {
  const body = JSON.stringify(success);
  const sig = signBody(body, "key-123456");
  assert.equal(sig.length, 128);
  assert.equal(verifySignature(body, "key-123456", sig), true);
  assert.equal(verifySignature(body + " ", "key-123456", sig), false);
  assert.equal(verifySignature(body, "other-key-1", sig), false);
  assert.equal(verifySignature(body, "key-123456", null), false);
  assert.equal(verifySignature(body, "key-123456", "zz"), false);
});

Deno.test("backoff grows exponentially with jitter and a cap", () => {
  assert.equal(backoffSeconds(1, 2, 300, () => 1), 2);
  assert.equal(backoffSeconds(4, 2, 300, () => 1), 16);
  assert.equal(backoffSeconds(20, 2, 300, () => 1), 300);
  assert.equal(backoffSeconds(4, 2, 300, () => 0), 1);
  const samples = new Set(Array.from({ length: 20 }, () => backoffSeconds(6)));
  assert.ok(samples.size > 1, "jittered");
});

Deno.test("phones: Nigerian numbers to E.164 with real ranges", () => {
  assert.equal(normalizePhone("0803 123 4567"), "+2348031234567");
  assert.equal(normalizePhone("+234 803 123 4567"), "+2348031234567");
  assert.equal(normalizePhone("09912345678"), null, "an unassigned range");
  assert.equal(normalizePhone("0803123"), null);
  assert.equal(normalizePhone("+1 713 555 0100"), null);
});

Deno.test("meters, amounts and rows", () => {
  assert.equal(meterProblem("12345678901", "PREPAID"), null);
  assert.equal(meterProblem("1234567890123", "PREPAID"), null);
  assert.notEqual(meterProblem("123456789012", "PREPAID"), null);
  assert.equal(meterProblem("ACC-99812", "POSTPAID"), null);
  assert.equal(nairaToKobo("1500.5"), 150050);
  assert.equal(nairaToKobo(100), 10000);
  assert.equal(nairaToKobo("1.234"), null);
  assert.equal(nairaToKobo("-5"), null);
  const vend = VendSchema.parse({
    meter: "12345678901",
    disco: "ikeja",
    amount: "1000",
    phone: "08031234567",
  });
  assert.equal(vend.disco, "IKEJA");
  assert.equal(vend.amount, 100000);
  assert.equal(vend.vendType, "PREPAID");
  for (
    const [row, code] of [
      [{ meter: "1", disco: "EKO", amount: "500", phone: "08031234567" }, "bad_meter"],
      [{ meter: "12345678901", disco: "XX", amount: "500", phone: "08031234567" }, "unknown_disco"],
      [{ meter: "12345678901", disco: "EKO", amount: "99", phone: "08031234567" }, "amount_out_of_range"],
      [{ meter: "12345678901", disco: "EKO", amount: "100001", phone: "08031234567" }, "amount_out_of_range"],
      [{ meter: "12345678901", disco: "EKO", amount: "500", phone: "12" }, "bad_phone"],
    ] as const
  ) {
    const parsed = BatchRowSchema.safeParse(row);
    assert.equal(parsed.success, false);
    if (!parsed.success) assert.equal(rowCode(parsed.error).code, code, JSON.stringify(row));
  }
});
