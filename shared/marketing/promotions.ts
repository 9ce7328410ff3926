// Promotions and coupon codes for marketing staff, through the caller's own database role (asUser): the
// RLS policies and column grants decide who may write what; usage counters move only in checkout.
import { z } from "zod";
import { asUser, type Claims, rpcRows, type Tx } from "../db.ts";
import { notFound, unprocessable } from "../errors.ts";

const Currency = z.enum(["USD", "NGN"]);
const Code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, "3-64 letters, digits, _ or -");
const Sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,40}$/);
const Category = z.enum(["thermostat", "meter", "solar", "service_plan", "voucher", "accessory"]);

const PromotionFields = {
  name: z.string().trim().min(1).max(200),
  percentOff: z.number().gt(0).max(100).multipleOf(0.01).optional(),
  amountOff: z.number().int().min(1).max(1_000_000_000).optional(),
  buyQuantity: z.number().int().min(1).max(100).optional(),
  getQuantity: z.number().int().min(1).max(100).optional(),
  currency: Currency.optional(),
  minSubtotal: z.number().int().min(0).max(1_000_000_000).optional(),
  skus: z.array(Sku).min(1).max(200).optional(),
  categories: z.array(Category).min(1).max(6).optional(),
  segmentId: z.uuid().optional(),
  firstOrderOnly: z.boolean().optional(),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  endsAt: z.iso.datetime({ offset: true }).optional(),
  budgetUses: z.number().int().min(1).max(100_000_000).optional(),
  budgetAmount: z.number().int().min(1).max(1_000_000_000_000).optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  stacking: z.enum(["exclusive", "combinable"]).optional(),
  automatic: z.boolean().optional(),
  active: z.boolean().optional(),
};

export const CouponBody = z.object({
  code: Code,
  usageLimit: z.number().int().min(1).max(100_000_000).nullable().optional(),
  /** Orders each customer may use it on (default 1; null: unlimited). */
  perCustomerLimit: z.number().int().min(1).max(10_000).nullable().optional(),
}).strict().meta({ id: "CouponRequest" });

export const PromotionBody = z.object({
  kind: z.enum(["percentage", "fixed_amount", "free_shipping", "buy_x_get_y"]),
  ...PromotionFields,
  /** A first code for the promotion, created with it. */
  coupon: CouponBody.optional(),
}).strict().meta({ id: "PromotionRequest" });

export const PromotionPatch = z.object({
  ...PromotionFields,
  name: PromotionFields.name.optional(),
  segmentId: z.uuid().nullable().optional(),
  endsAt: z.iso.datetime({ offset: true }).nullable().optional(),
  budgetUses: PromotionFields.budgetUses.nullable(),
  budgetAmount: PromotionFields.budgetAmount.nullable(),
  skus: PromotionFields.skus.nullable(),
  categories: PromotionFields.categories.nullable(),
}).strict().refine((patch) => Object.keys(patch).length > 0, "name at least one field")
  .meta({ id: "PromotionPatch" });

export const GenerateBody = z.object({
  count: z.number().int().min(1).max(10_000),
  prefix: z.string().regex(/^[A-Za-z0-9]{1,12}$/).default("PB"),
  batch: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/).optional(),
}).strict().meta({ id: "GenerateCouponsRequest" });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  skip: z.coerce.number().int().min(0).max(100_000).default(0),
  active: z.enum(["true", "false"]).optional(),
});

export const CouponQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: Code.optional(),
});

// camelCase field -> column, for inserts and patches alike.
const COLUMNS: Record<string, string> = {
  name: "name",
  kind: "kind",
  percentOff: "percent_off",
  amountOff: "amount_off_minor",
  buyQuantity: "buy_quantity",
  getQuantity: "get_quantity",
  currency: "currency",
  minSubtotal: "min_subtotal_minor",
  skus: "skus",
  categories: "categories",
  segmentId: "segment_id",
  firstOrderOnly: "first_order_only",
  startsAt: "starts_at",
  endsAt: "ends_at",
  budgetUses: "budget_uses",
  budgetAmount: "budget_amount_minor",
  priority: "priority",
  stacking: "stacking",
  automatic: "automatic",
  active: "active",
};

const PROMOTION_JSON = `jsonb_build_object(
  'id', p.id, 'name', p.name, 'kind', p.kind, 'percentOff', p.percent_off, 'amountOff', p.amount_off_minor,
  'buyQuantity', p.buy_quantity, 'getQuantity', p.get_quantity, 'currency', p.currency,
  'minSubtotal', p.min_subtotal_minor, 'skus', p.skus, 'categories', p.categories, 'segmentId', p.segment_id,
  'firstOrderOnly', p.first_order_only, 'startsAt', p.starts_at, 'endsAt', p.ends_at,
  'budgetUses', p.budget_uses, 'budgetAmount', p.budget_amount_minor, 'uses', p.uses,
  'amountUsed', p.amount_used_minor, 'priority', p.priority, 'stacking', p.stacking, 'automatic', p.automatic,
  'active', p.active, 'createdAt', p.created_at, 'updatedAt', p.updated_at,
  'coupons', (select count(*) from marketing.coupons c where c.promotion_id = p.id))`;

const COUPON_JSON = `jsonb_build_object('id', c.id, 'code', c.code, 'usageLimit', c.usage_limit,
  'perCustomerLimit', c.per_customer_limit, 'uses', c.uses, 'batch', c.batch, 'active', c.active)`;

function kindFields(input: z.infer<typeof PromotionBody>): void {
  const needs: Record<string, (keyof typeof input)[]> = {
    percentage: ["percentOff"],
    fixed_amount: ["amountOff", "currency"],
    buy_x_get_y: ["buyQuantity", "getQuantity"],
    free_shipping: [],
  };
  const missing = needs[input.kind].filter((field) => input[field] === undefined);
  if (missing.length) {
    throw unprocessable(`A ${input.kind} promotion needs ${missing.join(", ")}.`, [
      { code: "missing_fields", message: missing.join(", ") },
    ]);
  }
}

export async function createPromotion(
  claims: Claims,
  userId: string | null,
  input: z.infer<typeof PromotionBody>,
) {
  kindFields(input);
  const { coupon, ...fields } = input;
  const names = Object.keys(fields).filter((k) => fields[k as keyof typeof fields] !== undefined);
  const values = names.map((k) => fields[k as keyof typeof fields] as never);
  return await asUser(claims, async (tx) => {
    const [row] = await tx.unsafe(
      `with p as (
         insert into marketing.promotions (${names.map((k) => COLUMNS[k]).join(", ")}, created_by)
         values (${names.map((_, i) => `$${i + 1}`).join(", ")}, $${names.length + 1}) returning *
       ) select ${PROMOTION_JSON} as promotion from p`,
      [...values, userId],
    );
    const promotion = row.promotion as Record<string, unknown>;
    if (coupon) promotion.couponCreated = await insertCoupon(tx, promotion.id as string, coupon);
    return promotion;
  });
}

async function insertCoupon(tx: Tx, promotionId: string, input: z.infer<typeof CouponBody>) {
  const [row] = await tx.unsafe(
    `with c as (
       insert into marketing.coupons (promotion_id, code, usage_limit, per_customer_limit)
       values ($1, $2, $3, $4) returning *
     ) select ${COUPON_JSON} as coupon from c`,
    [
      promotionId,
      input.code,
      input.usageLimit ?? null,
      input.perCustomerLimit === undefined ? 1 : input.perCustomerLimit,
    ],
  );
  return row.coupon as Record<string, unknown>;
}

export function createCoupon(claims: Claims, promotionId: string, input: z.infer<typeof CouponBody>) {
  return asUser(claims, async (tx) => {
    const [exists] = await tx`select 1 from marketing.promotions where id = ${promotionId}`;
    if (!exists) throw notFound("No such promotion.");
    return await insertCoupon(tx, promotionId, input);
  });
}

export function updatePromotion(claims: Claims, id: string, patch: z.infer<typeof PromotionPatch>) {
  const names = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
  const values = names.map((k) => patch[k as keyof typeof patch] as never);
  return asUser(claims, async (tx) => {
    const [row] = await tx.unsafe(
      `with p as (
         update marketing.promotions set ${names.map((k, i) => `${COLUMNS[k]} = $${i + 2}`).join(", ")}
         where id = $1 returning *
       ) select ${PROMOTION_JSON} as promotion from p`,
      [id, ...values],
    );
    if (!row) throw notFound("No such promotion.");
    return row.promotion as Record<string, unknown>;
  });
}

export function getPromotion(claims: Claims, id: string) {
  return asUser(claims, async (tx) => {
    const [row] = await tx.unsafe(
      `select ${PROMOTION_JSON} as promotion from marketing.promotions p where p.id = $1`,
      [id],
    );
    if (!row) throw notFound("No such promotion.");
    return row.promotion as Record<string, unknown>;
  });
}

export function listPromotions(claims: Claims, query: z.infer<typeof ListQuery>) {
  const active = query.active === undefined ? null : query.active === "true";
  return asUser(claims, async (tx) => {
    const rows = await tx.unsafe(
      `select ${PROMOTION_JSON} as promotion, count(*) over ()::int as total_count
       from marketing.promotions p where ($1::boolean is null or p.active = $1)
       order by p.priority desc, p.created_at desc, p.id limit $2 offset $3`,
      [active, query.limit, query.skip],
    );
    const totalCount = rows[0]?.total_count ?? (await tx.unsafe(
      `select count(*)::int as n from marketing.promotions p where ($1::boolean is null or p.active = $1)`,
      [active],
    ))[0].n;
    const hasNext = query.skip + rows.length < totalCount;
    return {
      items: rows.map((row) => row.promotion as Record<string, unknown>),
      totalCount,
      hasNext,
      currentPage: Math.floor(query.skip / query.limit) + 1,
      pageSize: query.limit,
      nextSkip: hasNext ? query.skip + query.limit : null,
      nextCursor: null,
    };
  });
}

export function generateCoupons(claims: Claims, id: string, input: z.infer<typeof GenerateBody>) {
  return asUser(claims, async (tx) => {
    const rows = await rpcRows<{ code: string }>(tx, "marketing.generate_coupons", {
      promotion_id: id,
      code_count: input.count,
      prefix: input.prefix,
      batch: input.batch,
    });
    return { count: rows.length, codes: rows.map((row) => row.code) };
  });
}

export function listCoupons(claims: Claims, id: string, query: z.infer<typeof CouponQuery>) {
  return asUser(claims, async (tx) => {
    const [exists] = await tx`select 1 from marketing.promotions where id = ${id}`;
    if (!exists) throw notFound("No such promotion.");
    const rows = await rpcRows<Record<string, unknown>>(tx, "marketing.promotion_coupons", {
      promotion_id: id,
      max_rows: query.limit,
      after_code: query.after,
    });
    const coupons: Record<string, unknown>[] = rows.map((row) => ({
      id: row.id,
      code: row.code,
      usageLimit: row.usage_limit,
      perCustomerLimit: row.per_customer_limit,
      uses: row.uses,
      redemptions: Number(row.redemptions),
      returned: Number(row.returned),
      batch: row.batch,
      active: row.active,
      createdAt: row.created_at,
    }));
    return {
      coupons,
      nextCursor: coupons.length === query.limit ? String(coupons[coupons.length - 1].code) : null,
    };
  });
}
