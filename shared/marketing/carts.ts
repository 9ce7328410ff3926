// Persistent carts: a signed-in customer's, or an anonymous one reached with its id and secret token
// (only its SHA-256 is stored). Every write runs as the service after the ownership check below, so
// the same rules hold for both kinds; customers read their own carts through the Data API under RLS.
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { Caller } from "../auth.ts";
import { checkout } from "../commerce/checkout.ts";
import { CheckoutAnswer, Sku } from "../commerce/schemas.ts";
import { asService, rpc, type Tx } from "../db.ts";
import { conflict, notFound } from "../errors.ts";

export const CartItems = z.array(z.object({ sku: Sku, quantity: z.number().int().min(1).max(100) })).max(50);

export const CartBody = z.object({
  items: CartItems.optional(),
  email: z.email().max(254).optional(),
  /** The shopper agrees to one reminder e-mail (with a code) if the cart is left. */
  consent: z.boolean().optional(),
}).strict().meta({ id: "CartRequest" });

export const CartPatch = z.object({
  email: z.email().max(254).nullable().optional(),
  consent: z.boolean().optional(),
}).strict().refine((patch) => Object.keys(patch).length > 0, "name at least one field").meta({
  id: "CartPatch",
});

export const CartItemsBody = z.object({ items: CartItems }).strict().meta({ id: "CartItemsRequest" });

export const CartCheckoutBody = z.object({
  provider: z.enum(["stripe", "paystack"]),
  /** Defaults to the cart's recovery code, when it has one. */
  couponCode: z.string().trim().min(1).max(64).optional(),
  billingCountry: z.string().regex(/^[A-Z]{2}$/).optional(),
}).strict().meta({ id: "CartCheckoutRequest" });

export const Cart = z.object({
  id: z.uuid(),
  status: z.string(),
  email: z.string().nullable(),
  consent: z.boolean(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  recoveryCode: z.string().nullable(),
  orderId: z.uuid().nullable(),
  lastActivityAt: z.string(),
  /** Only in the answer that created an anonymous cart: keep it, it is never shown again. */
  token: z.string().optional(),
}).meta({ id: "Cart" });
type CartView = z.infer<typeof Cart>;

export const CartCheckoutAnswer = CheckoutAnswer.extend({ cartId: z.uuid() }).meta({
  id: "CartCheckoutAnswer",
});

/** The header an anonymous cart's token travels in. */
export const CART_TOKEN_HEADER = "x-cart-token";

const hashOf = async (token: string) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));

async function view(tx: Tx, id: string): Promise<CartView> {
  const [row] = await tx<CartView[]>`
    select c.id, c.status, c.email, c.consent, x.code as "recoveryCode", c.order_id as "orderId",
           to_json(c.last_activity_at) #>> '{}' as "lastActivityAt",
           coalesce((select jsonb_agg(jsonb_build_object('sku', i.sku, 'quantity', i.quantity) order by i.sku)
                     from marketing.cart_items i where i.cart_id = c.id), '[]'::jsonb) as items
    from marketing.carts c left join marketing.coupons x on x.id = c.recovery_coupon_id
    where c.id = ${id}`;
  return row;
}

/** Locks the cart if the caller may use it (its signed-in owner, or the holder of its token). */
async function owned(tx: Tx, id: string, who: Caller, token: string | undefined) {
  const hash = token ? await hashOf(token) : null;
  const [row] = await tx<{ id: string; status: string; user_id: string | null }[]>`
    select id, status, user_id from marketing.carts
    where id = ${id}
      and ((${who.userId ?? null}::uuid is not null and user_id = ${who.userId ?? null}::uuid)
        or (${hash}::bytea is not null and token_hash = ${hash}::bytea))
    for update`;
  if (!row) throw notFound("No such cart (or not yours).");
  return row;
}

function consentColumns(email: string | null | undefined, consent: boolean | undefined) {
  return {
    email: email === undefined ? undefined : email?.toLowerCase() ?? null,
    consent,
  };
}

export function createCart(who: Caller, input: z.infer<typeof CartBody>): Promise<CartView> {
  return asService(async (tx) => {
    // A signed-in customer's cart needs no token; an anonymous one gets 32 random bytes, once.
    const token = who.userId
      ? undefined
      : Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    const { email, consent } = consentColumns(input.email, input.consent);
    const [cart] = await tx<{ id: string }[]>`
      insert into marketing.carts (user_id, token_hash, email, consent, consent_at)
      values (${who.userId ?? null}, ${token ? await hashOf(token) : null}, ${email ?? null}, ${
      consent ?? false
    },
              ${consent ? new Date() : null})
      returning id`;
    if (input.items?.length) {
      await rpc(tx, "marketing.set_cart_items", { cart_id: cart.id, items: input.items });
    }
    const result = await view(tx, cart.id);
    return token ? { ...result, token } : result;
  });
}

export function getCart(who: Caller, id: string, token?: string): Promise<CartView> {
  return asService(async (tx) => {
    await owned(tx, id, who, token);
    return await view(tx, id);
  });
}

/** An ordered cart (recovered: ordered with its recovery code) is closed; open and abandoned ones are not. */
const wasOrdered = (status: string) => status === "ordered" || status === "recovered";

export function setItems(
  who: Caller,
  id: string,
  token: string | undefined,
  items: z.infer<typeof CartItems>,
) {
  return asService(async (tx) => {
    await owned(tx, id, who, token);
    await rpc(tx, "marketing.set_cart_items", { cart_id: id, items });
    return await view(tx, id);
  });
}

export function updateCart(
  who: Caller,
  id: string,
  token: string | undefined,
  patch: z.infer<typeof CartPatch>,
) {
  return asService(async (tx) => {
    const cart = await owned(tx, id, who, token);
    // Open or abandoned (its shopper may withdraw consent, or fix the address, after the reminder).
    if (wasOrdered(cart.status)) {
      throw conflict("cart_closed", "The cart was ordered already.");
    }
    const { email, consent } = consentColumns(patch.email, patch.consent);
    await tx`
      update marketing.carts set
        email = case when ${email !== undefined} then ${email ?? null}::text else email end,
        consent = coalesce(${consent ?? null}::boolean, consent),
        consent_at = case when ${consent === true} and not consent then now()
                          when ${consent === false} then null else consent_at end,
        last_activity_at = now()
      where id = ${id}`;
    return await view(tx, id);
  });
}

/**
 * Checks the cart out through commerce's checkout (the same transaction, limits and answer as
 * POST /checkout) with its items and, unless another code is given, its recovery code; then the cart
 * is ordered. The recovered-order attribution itself comes from the order feed (the code's order).
 */
export async function checkoutCart(
  who: Caller,
  id: string,
  token: string | undefined,
  input: z.infer<typeof CartCheckoutBody>,
  context: { checkoutKey: string; clientIp: string | null; requestId: string },
) {
  const cart = await getCart(who, id, token);
  if (wasOrdered(cart.status)) {
    throw conflict("cart_closed", "The cart was ordered already.");
  }
  if (!cart.items.length) throw conflict("cart_empty", "The cart holds no items.");
  const result = await checkout(who, {
    items: cart.items,
    provider: input.provider,
    couponCode: input.couponCode ?? cart.recoveryCode ?? undefined,
    billingCountry: input.billingCountry,
  }, context);
  await asService((tx) =>
    tx`update marketing.carts set status = 'ordered', order_id = ${result.orderId}
       where id = ${id} and status in ('open', 'abandoned')`
  );
  return { ...result, cartId: id };
}
