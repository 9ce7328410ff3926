// Resend's webhooks, signed by Svix: `svix-id`, `svix-timestamp` and `svix-signature`
// (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, possibly several, space-separated),
// verified with the maintained `svix` package over the raw body (it also refuses timestamps more than
// five minutes off). Events are mapped to marketing.message_events types and keyed on svix-id, so a
// redelivery is recorded once.
import { Webhook, WebhookVerificationError } from "svix";
import { z } from "zod";
import { HttpError } from "../errors.ts";

const ResendEvent = z.object({
  type: z.string().max(100),
  created_at: z.string().optional(),
  data: z.object({
    email_id: z.string().min(1).max(200),
    bounce: z.object({
      type: z.string().optional(),
      subType: z.string().optional(),
      message: z.string().optional(),
    })
      .optional(),
    click: z.object({ link: z.string().optional() }).optional(),
  }).passthrough(),
});

export interface MessageEvent {
  key: string;
  providerMessageId: string;
  type: string;
  occurredAt?: string;
  detail: Record<string, unknown>;
}

/** Verifies and parses one delivery; 401 for a bad signature, 422 for a body that is not an event. */
export function verifyResendWebhook(secret: string, rawBody: string, headers: Headers): unknown {
  const svixHeaders = {
    "svix-id": headers.get("svix-id") ?? "",
    "svix-timestamp": headers.get("svix-timestamp") ?? "",
    "svix-signature": headers.get("svix-signature") ?? "",
  };
  try {
    // svix 2.x verifies without parsing (it returns nothing); the body is parsed once it is trusted.
    new Webhook(secret).verify(rawBody, svixHeaders);
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      throw new HttpError(401, "invalid_signature", "The webhook signature does not verify.");
    }
    throw error;
  }
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new HttpError(400, "malformed_json", "The webhook body is not valid JSON.");
  }
}

/** Our event for a Resend event, or null for types we do not track (email.sent is the send job's). */
export function toMessageEvent(svixId: string, payload: unknown): MessageEvent | null {
  const parsed = ResendEvent.safeParse(payload);
  if (!parsed.success) {
    throw new HttpError(422, "validation_failed", "The webhook body is not a Resend e-mail event.");
  }
  const event = parsed.data;
  const type = mapType(event);
  if (!type) return null;
  const detail: Record<string, unknown> = { providerType: event.type };
  if (event.data.bounce) detail.bounce = event.data.bounce;
  if (event.data.click?.link) detail.url = event.data.click.link;
  return {
    key: `resend:${svixId}`,
    providerMessageId: event.data.email_id,
    type,
    ...(event.created_at ? { occurredAt: event.created_at } : {}),
    detail,
  };
}

function mapType(event: z.infer<typeof ResendEvent>): string | null {
  switch (event.type) {
    case "email.delivered":
      return "delivered";
    case "email.delivery_delayed":
      return "delivery_delayed";
    case "email.bounced":
      // Resend reports bounce.type Permanent (hard) or Transient / Undetermined (soft).
      return event.data.bounce?.type === "Permanent" ? "bounced_hard" : "bounced_soft";
    case "email.complained":
      return "complained";
    case "email.opened":
      return "opened";
    case "email.clicked":
      return "clicked";
    default:
      return null;
  }
}
