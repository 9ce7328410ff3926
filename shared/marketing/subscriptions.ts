// The subscriber-facing flows behind the marketing function: subscribe (double opt-in), confirm,
// unsubscribe (one-click), open and click tracking, and provider events. Tokens are checked here;
// the RPCs run as the service role because the person clicking is not signed in.
import { asService } from "../db.ts";
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
  const [row] = await asService((tx) =>
    tx`select marketing.subscribe(${input.email}, ${input.list}, ${input.name ?? null}, ${input.source},
                                  ${inet(input.ip)}::inet, ${input.userAgent ?? null}, ${
      input.accountId ?? null
    }) as result`
  );
  return row.result as SubscribeResult;
}

export async function confirm(token: string | undefined, ip?: string, userAgent?: string) {
  const claims = await verifyToken(settings().MARKETING_TOKEN_SECRET, token, "confirm");
  if (!claims.l) throw new Error("confirm token without a list");
  const [row] = await asService((tx) =>
    tx`select marketing.confirm_subscription(${claims.s}, ${claims.l!}, ${inet(ip)}::inet, ${
      userAgent ?? null
    }) as result`
  );
  return row.result as { status: string; changed: boolean };
}

/** Checks an unsubscribe token without acting on it (the GET page). */
export function checkUnsubscribeToken(token: string | undefined) {
  return verifyToken(settings().MARKETING_TOKEN_SECRET, token, "unsubscribe");
}

export async function unsubscribe(token: string | undefined, source: string): Promise<number> {
  const claims = await checkUnsubscribeToken(token);
  return await asService(async (tx) => {
    const [row] = await tx`select marketing.unsubscribe(${claims.s}, ${
      claims.l ?? null
    }, ${source}) as changed`;
    if (claims.m) {
      await tx`select marketing.record_message_events(${
        tx.json([{ key: `unsubscribe:${claims.m}`, messageId: claims.m, type: "unsubscribed" }] as never)
      })`;
    }
    return row.changed as number;
  });
}

export async function recordOpen(token: string | undefined): Promise<void> {
  const claims = await verifyToken(settings().MARKETING_TOKEN_SECRET, token, "open");
  await asService((tx) =>
    tx`select marketing.record_message_events(${
      tx.json([{ key: `open:${claims.m}`, messageId: claims.m, type: "opened" }] as never)
    })`
  );
}

/** The link a signed click token points to (only links that were in the message). */
export async function recordClick(token: string | undefined): Promise<string> {
  const claims = await verifyToken(settings().MARKETING_TOKEN_SECRET, token, "click");
  if (!claims.m || claims.i === undefined) throw new Error("click token without message or link");
  const [row] = await asService((tx) =>
    tx`select marketing.record_click(${claims.m!}, ${claims.i!}) as target`
  );
  return row.target as string;
}

/** Verifies, maps and records one Resend webhook delivery; returns whether it was new. */
export async function receiveResendWebhook(
  rawBody: string,
  headers: Headers,
): Promise<{ recorded: number; type: string | null }> {
  const payload = verifyResendWebhook(settings().RESEND_WEBHOOK_SECRET, rawBody, headers);
  const event: MessageEvent | null = toMessageEvent(headers.get("svix-id")!, payload);
  if (!event) return { recorded: 0, type: null };
  const [row] = await asService((tx) =>
    tx`select marketing.record_message_events(${tx.json([event] as never)}) as recorded`
  );
  return { recorded: row.recorded as number, type: event.type };
}
