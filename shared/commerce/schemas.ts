// Request and response shapes of the commerce functions (validated by the kernel's route declarations).
import { z } from "zod";

export const Sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,40}$/, "a SKU in capitals, digits and dashes");

export const CheckoutBody = z.object({
  items: z.array(z.object({ sku: Sku, quantity: z.number().int().min(1).max(100) })).min(1).max(50),
  provider: z.enum(["stripe", "paystack"]),
  couponCode: z.string().trim().min(1).max(64).optional(),
  /** ISO country of the billing address, for the fraud rules. */
  billingCountry: z.string().regex(/^[A-Z]{2}$/).optional(),
}).meta({ id: "CheckoutRequest" });
export type CheckoutInput = z.infer<typeof CheckoutBody>;

export const CheckoutAnswer = z.object({
  orderId: z.uuid(),
  number: z.string(),
  status: z.string(),
  reviewStatus: z.string(),
  subtotal: z.number().int(),
  discount: z.number().int(),
  tax: z.number().int(),
  /** Shipping of the lines (per-unit rates x quantities), and what free-shipping promotions waived of it. */
  shipping: z.number().int(),
  shippingDiscount: z.number().int(),
  total: z.number().int(),
  currency: z.string(),
  /** Every line with each discount applied to it (coupon and automatic promotions, in the order applied). */
  lines: z.array(z.object({
    sku: z.string(),
    name: z.string(),
    quantity: z.number().int(),
    unitPrice: z.number().int(),
    discount: z.number().int(),
    discounts: z.array(z.object({
      promotionId: z.uuid(),
      name: z.string(),
      kind: z.string(),
      code: z.string().nullable(),
      amount: z.number().int(),
    })),
    tax: z.number().int(),
    shipping: z.number().int(),
    shippingDiscount: z.number().int(),
    total: z.number().int(),
  })),
  payment: z.object({
    provider: z.enum(["stripe", "paystack"]),
    reference: z.string(),
    clientSecret: z.string().optional(),
    authorizationUrl: z.string().optional(),
  }),
}).meta({ id: "CheckoutAnswer" });
export type CheckoutResult = z.infer<typeof CheckoutAnswer>;

export const RefundBody = z.object({
  amount: z.number().int().min(1).max(1_000_000_000_00),
  reason: z.string().trim().min(1).max(500),
  restock: z.boolean().optional(),
}).meta({ id: "RefundRequest" });

export const FulfilBody = z.object({
  lines: z.array(z.object({ sku: Sku, quantity: z.number().int().min(1).max(1000) })).min(1).max(50)
    .optional(),
}).meta({ id: "FulfilRequest" });

export const CancelBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).meta({
  id: "CancelRequest",
});
export const ReviewBody = z.object({ approve: z.boolean(), note: z.string().max(500).optional() }).meta({
  id: "ReviewRequest",
});

export const ReceiptBody = z.object({
  sku: Sku,
  location: z.string().regex(/^[A-Z0-9-]{2,20}$/),
  quantity: z.number().int().min(1).max(100_000),
  batchNumber: z.string().min(1).max(60).optional(),
  expiresOn: z.iso.date().optional(),
  reason: z.string().max(200).optional(),
}).meta({ id: "StockReceipt" });

export const AdjustmentBody = z.object({
  sku: Sku,
  location: z.string().regex(/^[A-Z0-9-]{2,20}$/),
  delta: z.number().int().min(-100_000).max(100_000).refine((n) => n !== 0, "must not be 0"),
  reason: z.string().trim().min(1).max(200),
  batchNumber: z.string().min(1).max(60).optional(),
}).meta({ id: "StockAdjustment" });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  skip: z.coerce.number().int().min(0).max(100_000).default(0),
  status: z.enum([
    "pending_payment",
    "paid",
    "partially_fulfilled",
    "fulfilled",
    "delivered",
    "canceled",
    "partially_refunded",
    "refunded",
  ]).optional(),
});

export const Loose = z.looseObject({});
