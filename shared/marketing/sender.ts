// The send job: claims due outbox rows (suppression is decided in the same statement, at send time),
// renders each, hands it to the provider at the configured pace with its row id as Idempotency-Key, and
// settles the rows (sent, retry with backoff, or dead). A job killed midway leaves rows `sending` under a
// lease; the next run claims them again and the provider's idempotency turns the repeat into a no-op.
import { asService, rpc, rpcRows } from "../db.ts";
import { log } from "../log.ts";
import { renderTemplate, trackLinks } from "./render.ts";
import { type OutgoingEmail, type ResendClient, resendClient, type SendResult } from "./resend.ts";
import { type MarketingSettings, settings as loadSettings } from "./settings.ts";
import { signToken } from "./tokens.ts";

export interface ClaimedMessage {
  message_id: string;
  attempts: number;
  email: string;
  subscriber_id: string;
  subscriber_name: string | null;
  subscriber_attributes: Record<string, unknown>;
  list_id: string | null;
  list_name: string | null;
  kind: "marketing" | "transactional";
  template_slug: string;
  subject: string;
  body_html: string;
  body_text: string;
  variables: string[];
  data: Record<string, unknown>;
  queued_at: Date;
}

export interface Built {
  email: OutgoingEmail;
  links: string[];
}

/** The e-mail for one claimed row: rendered template, signed links, tracking, RFC 8058 headers. */
export async function buildEmail(row: ClaimedMessage, config: MarketingSettings): Promise<Built> {
  const secret = config.MARKETING_TOKEN_SECRET;
  const base = config.publicUrl;
  const unsubscribe = await signToken(secret, {
    k: "unsubscribe",
    s: row.subscriber_id,
    m: row.message_id,
    ...(row.list_id ? { l: row.list_id } : {}),
  });
  const links: Record<string, string> = { unsubscribe: `${base}/unsubscribe?token=${unsubscribe}` };
  if (row.list_id && row.template_slug === "double-opt-in") {
    const confirm = await signToken(secret, {
      k: "confirm",
      s: row.subscriber_id,
      l: row.list_id,
      // From the row's queue time, not the clock: a retry must render byte for byte the same message, or
      // the provider would refuse the repeated Idempotency-Key as a different request.
      e: Math.floor(new Date(row.queued_at).getTime() / 1000) + config.MARKETING_CONFIRM_TTL_HOURS * 3600,
    });
    links.confirm = `${base}/confirm?token=${confirm}`;
  }
  const context = {
    subscriber: { name: row.subscriber_name ?? "", email: row.email, attributes: row.subscriber_attributes },
    list: { id: row.list_id, name: row.list_name ?? "" },
    ...row.data,
    links,
  };
  const rendered = await renderTemplate(
    { subject: row.subject, bodyHtml: row.body_html, bodyText: row.body_text, variables: row.variables },
    context,
  );
  // Tokens are signed asynchronously, so links get a placeholder first and their token after.
  const tracked = trackLinks(rendered.html, base, (position) => `${base}/c/__CLICK_${position}__`);
  let html = tracked.html;
  for (let position = 0; position < tracked.links.length; position++) {
    const token = await signToken(secret, {
      k: "click",
      s: row.subscriber_id,
      m: row.message_id,
      i: position,
      u: tracked.links[position],
    });
    html = html.replace(`${base}/c/__CLICK_${position}__`, `${base}/c/${token}`);
  }
  const open = await signToken(secret, { k: "open", s: row.subscriber_id, m: row.message_id });
  const pixel = `<img src="${base}/o/${open}" width="1" height="1" alt="" style="display:none">`;
  html = html.includes("</body>") ? html.replace("</body>", `${pixel}</body>`) : html + pixel;
  return {
    email: {
      from: config.MARKETING_FROM,
      to: [row.email],
      subject: rendered.subject,
      html,
      text: `${rendered.text}\n\nUnsubscribe: ${links.unsubscribe}\n`,
      headers: {
        "List-Unsubscribe": `<${links.unsubscribe}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
      tags: [{ name: "message_id", value: row.message_id }, { name: "template", value: row.template_slug }],
    },
    links: tracked.links,
  };
}

/** Spaces calls evenly at `perSecond`, across all concurrent senders of this job. */
export class Pacer {
  #next = 0;
  constructor(private readonly perSecond: number) {}
  async wait(): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.#next);
    this.#next = at + 1000 / this.perSecond;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}

export interface SendJobOptions {
  /** Stop claiming after this many messages (default: until nothing is due or the deadline). */
  maxMessages?: number;
  /** Stop claiming new batches after this long (default 45 s: pg_cron wakes the job every minute). */
  deadlineMs?: number;
  concurrency?: number;
  client?: ResendClient;
  config?: MarketingSettings;
}

export interface SendJobReport {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
}

export async function runSendJob(options: SendJobOptions = {}): Promise<SendJobReport> {
  const config = options.config ?? loadSettings();
  const client = options.client ?? resendClient({
    baseUrl: config.RESEND_API_BASE,
    apiKey: config.RESEND_API_KEY,
    timeoutMs: config.MARKETING_PROVIDER_TIMEOUT_MS,
  });
  const pacer = new Pacer(config.MARKETING_SEND_RATE);
  const deadline = Date.now() + (options.deadlineMs ?? 45_000);
  const batch = config.MARKETING_SEND_BATCH;
  // The lease outlives a whole batch at the configured pace plus one provider timeout.
  const leaseSeconds =
    Math.ceil(batch / config.MARKETING_SEND_RATE + config.MARKETING_PROVIDER_TIMEOUT_MS / 1000) +
    30;
  const report: SendJobReport = { claimed: 0, sent: 0, retried: 0, dead: 0 };
  while (
    Date.now() < deadline && (options.maxMessages === undefined || report.claimed < options.maxMessages)
  ) {
    const size = Math.min(batch, (options.maxMessages ?? Infinity) - report.claimed);
    const rows = await asService((tx) =>
      rpcRows<ClaimedMessage>(tx, "marketing.claim_messages", {
        batch_size: size,
        lease_seconds: leaseSeconds,
      })
    );
    if (rows.length === 0) break;
    report.claimed += rows.length;
    const outcomes: Array<Record<string, unknown>> = [];
    let cursor = 0;
    const worker = async () => {
      while (cursor < rows.length) {
        const row = rows[cursor++];
        outcomes.push(await sendOne(row, config, client, pacer));
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, rows.length) }, worker));
    for (const outcome of outcomes) {
      if (outcome.outcome === "sent") report.sent++;
      else if (outcome.outcome === "retry") report.retried++;
      else report.dead++;
    }
    await asService((tx) => rpc(tx, "marketing.settle_messages", { outcomes }));
  }
  return report;
}

async function sendOne(
  row: ClaimedMessage,
  config: MarketingSettings,
  client: ResendClient,
  pacer: Pacer,
): Promise<Record<string, unknown>> {
  let built: Built;
  try {
    built = await buildEmail(row, config);
  } catch (error) {
    // A template that cannot render this row's data will not render it on a retry either.
    log("warn", "marketing message not renderable", { messageId: row.message_id, error: String(error) });
    return { id: row.message_id, outcome: "dead", error: `render: ${(error as Error).message}` };
  }
  await pacer.wait();
  const result: SendResult = await client.send(built.email, row.message_id);
  if (result.outcome === "sent") {
    return { id: row.message_id, outcome: "sent", providerMessageId: result.id, links: built.links };
  }
  log(result.outcome === "dead" ? "warn" : "info", "marketing send failed", {
    messageId: row.message_id,
    attempt: row.attempts,
    outcome: result.outcome,
    error: result.error,
  });
  return { id: row.message_id, outcome: result.outcome, error: result.error };
}
