// The subscriber-facing flows behind the marketing function: subscribe (double opt-in), confirm,
// unsubscribe (one-click), open and click tracking, and provider events. Tokens are checked here;
// the RPCs run as the service role because the person clicking is not signed in.
import { asService, rpc } from "../db.ts";
import { HttpError } from "../errors.ts";
import { settings } from "./settings.ts";
import { verifyToken } from "./tokens.ts";
import { type MessageEvent, toMessageEvent, verifyResendWebhook } from "./webhooks.ts";

export interface SubscribeInput {
  email: string;
  list: string;
  name?: string;
  source: string;
  ip?: string;
  userAgent?: string;
  /** The signed-in caller's account, linked only when the address is their own. */
  accountId?: string;
}

export interface SubscribeResult {
  subscriberId: string;
  listId: string;
  status: "unconfirmed" | "confirmed" | "blocklisted";
  confirmationQueued: boolean;
}

const inet = (ip?: string) => (ip && /^[\d.:a-fA-F]+$/.test(ip) ? ip : null);

export async function subscribe(input: SubscribeInput): Promise<SubscribeResult> {
  return await asService((tx) =>
    rpc<SubscribeResult>(tx, "marketing.subscribe", {
      email: input.email,
      list_slug: input.list,
      subscriber_name: input.name,
      source: input.source,
      client_ip: inet(input.ip),
      client_user_agent: input.userAgent,
      account_id: input.accountId,
    })
  );
}

export async function confirm(token: string | undefined, ip?: string, userAgent?: string) {
  const claims = await verifyToken(settings().MARKETING_TOKEN_SECRET, token, "confirm");
  if (!claims.l) throw new Error("confirm token without a list");
  return await asService((tx) =>
    rpc<{ status: string; changed: boolean }>(tx, "marketing.confirm_subscription", {
      subscriber_id: claims.s,
      list_id: claims.l,
      client_ip: inet(ip),
      client_user_agent: userAgent,
    })
  );
}

/** Checks an unsubscribe token without acting on it (the GET page). */
export function checkUnsubscribeToken(token: string | undefined) {
  return verifyToken(settings().MARKETING_TOKEN_SECRET, token, "unsubscribe");
}

export async function unsubscribe(token: string | undefined, source: string): Promise<number> {
  const claims = await checkUnsubscribeToken(token);
  return await asService(async (tx) => {
    const changed = await rpc<number>(tx, "marketing.unsubscribe", {
      subscriber_id: claims.s,
      list_id: claims.l ?? null,
      source,
    });
    if (claims.m) {
      await rpc(tx, "marketing.record_message_events", {
        events: [{ key: `unsubscribe:${claims.m}`, messageId: claims.m, type: "unsubscribed" }],
      });
    }
    return changed;
  });
}

export async function recordOpen(token: string | undefined): Promise<void> {
  const claims = await verifyToken(settings().MARKETING_TOKEN_SECRET, token, "open");
  await asService((tx) =>
    rpc(tx, "marketing.record_message_events", {
      events: [{ key: `open:${claims.m}`, messageId: claims.m, type: "opened" }],
    })
  );
}

/** The link a signed click token points to (only links that were in the message). */
export async function recordClick(token: string | undefined): Promise<string> {
  const claims = await verifyToken(settings().MARKETING_TOKEN_SECRET, token, "click");
  if (!claims.m || claims.i === undefined || !claims.u) {
    throw new HttpError(400, "invalid_token", "This link is not valid.");
  }
  return await asService((tx) =>
    rpc<string>(tx, "marketing.record_click", {
      message_id: claims.m,
      link_position: claims.i,
      target: claims.u,
    })
  );
}

/** Verifies, maps and records one Resend webhook delivery; returns whether it was new. */
export async function receiveResendWebhook(
  rawBody: string,
  headers: Headers,
): Promise<{ recorded: number; type: string | null }> {
  const payload = verifyResendWebhook(settings().RESEND_WEBHOOK_SECRET, rawBody, headers);
  const event: MessageEvent | null = toMessageEvent(headers.get("svix-id")!, payload);
  if (!event) return { recorded: 0, type: null };
  const recorded = await asService((tx) =>
    rpc<number>(tx, "marketing.record_message_events", { events: [event] })
  );
  return { recorded, type: event.type };
}
