// The promotions and carts request schemas: what staff and shoppers may send, before any SQL runs.
import assert from "node:assert/strict";
import { CartBody, CartItems, CartPatch } from "../../../shared/marketing/carts.ts";
import {
  CouponBody,
  GenerateBody,
  PromotionBody,
  PromotionPatch,
} from "../../../shared/marketing/promotions.ts";

Deno.test("a promotion names its kind and takes only known fields", () => {
  assert.ok(PromotionBody.safeParse({ name: "Ten", kind: "percentage", percentOff: 10 }).success);
  assert.equal(PromotionBody.safeParse({ name: "Ten", kind: "bogus" }).success, false);
  assert.equal(
    PromotionBody.safeParse({ name: "Ten", kind: "percentage", percentOff: 10, uses: 0 }).success,
    false,
    "the usage counters are not writable",
  );
  assert.equal(PromotionBody.safeParse({ name: "Ten", kind: "percentage", percentOff: 101 }).success, false);
  assert.equal(
    PromotionBody.safeParse({ name: "x", kind: "percentage", percentOff: 5, categories: ["cars"] }).success,
    false,
    "categories come from commerce's closed list",
  );
});

Deno.test("a patch changes at least one field and never the kind", () => {
  assert.equal(PromotionPatch.safeParse({}).success, false);
  assert.equal(PromotionPatch.safeParse({ kind: "percentage" }).success, false);
  assert.ok(PromotionPatch.safeParse({ endsAt: null, budgetUses: null }).success);
});

Deno.test("codes are 3-64 letters, digits, _ or -; bulk generation is 1-10,000 with a short prefix", () => {
  assert.ok(CouponBody.safeParse({ code: "SAVE10" }).success);
  assert.equal(CouponBody.safeParse({ code: "no spaces" }).success, false);
  assert.equal(CouponBody.safeParse({ code: "ab" }).success, false);
  assert.equal(GenerateBody.parse({ count: 5 }).prefix, "PB");
  assert.equal(GenerateBody.safeParse({ count: 10_001 }).success, false);
  assert.equal(GenerateBody.safeParse({ count: 1, prefix: "TOO-LONG-PREFIX" }).success, false);
});

Deno.test("cart items are up to 50 SKUs with quantities 1-100; e-mail and consent are optional", () => {
  assert.ok(CartBody.safeParse({}).success);
  assert.ok(CartItems.safeParse([{ sku: "THERM-LEARN-STEEL", quantity: 100 }]).success);
  assert.equal(CartItems.safeParse([{ sku: "lower-case", quantity: 1 }]).success, false);
  assert.equal(CartItems.safeParse([{ sku: "A1", quantity: 0 }]).success, false);
  assert.equal(
    CartItems.safeParse(Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 }))).success,
    false,
  );
  assert.equal(CartBody.safeParse({ email: "not-an-address" }).success, false);
  assert.equal(CartPatch.safeParse({}).success, false);
});
