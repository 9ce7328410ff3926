// A local stand-in for Resend (the e-mail provider), run by `./dev start` like Supabase's local mail
// catcher. It speaks Resend's API — `POST /emails` with `Authorization: Bearer <key>`, honouring
// `Idempotency-Key` (the same key and body answer the first id; the same key with another body is a 409),
// `GET /emails/:id` — and keeps what it received, to be listed and read:
//   GET  /                     an HTML inbox (newest first) with links to each message
//   GET  /api/v1/messages      JSON list {total, messages:[{id, to, subject, createdAt}]} (?to= filters)
//   GET  /api/v1/messages/:id  JSON with html, text and headers;  GET /messages/:id.html renders the HTML
//   DELETE /api/v1/messages    empties the inbox
// When a webhook URL and Svix secret are given it also posts signed `email.sent` and `email.delivered`
// events for each accepted message, as Resend does. Tests wrap the same handler with failure modes
// (tests/support/fakes/resend.ts).
import { Webhook } from "svix";
import type { StackConfig } from "../stack.ts";

/** For `./dev status` (supabase/local/standins/README.md). */
export const standin = {
  name: "resend",
  healthUrl: (config: StackConfig) => `${config.resendUrl}/api/v1/messages?to=status@check.local`,
};

export interface StoredEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  headers: Record<string, string>;
  tags: Array<{ name: string; value: string }>;
  idempotencyKey?: string;
  createdAt: string;
}

export interface ResendStandinOptions {
  apiKey: string;
  /** Where to post signed delivery events (the marketing function's webhook), if anywhere. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Messages whose bodies are kept (older ones keep only their count). */
  keep?: number;
}

export interface ResendStandin {
  handle(request: Request): Promise<Response>;
  messages: StoredEmail[];
  /** Every accepted message ever, including those whose bodies were dropped. */
  accepted(): number;
  /** Posts a signed event for a stored message (tests use it for bounces and complaints). */
  emit(type: string, emailId: string, data?: Record<string, unknown>): Promise<Response | null>;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });
const resendError = (status: number, name: string, message: string) =>
  json({ statusCode: status, name, message }, status);

export function createResendStandin(options: ResendStandinOptions): ResendStandin {
  const keep = options.keep ?? 2000;
  const messages: StoredEmail[] = [];
  const byId = new Map<string, StoredEmail>();
  const idempotent = new Map<string, { body: string; id: string }>();
  let acceptedCount = 0;
  const signer = options.webhookSecret ? new Webhook(options.webhookSecret) : null;

  async function emit(type: string, emailId: string, data: Record<string, unknown> = {}) {
    if (!options.webhookUrl || !signer) return null;
    const stored = byId.get(emailId);
    const payload = JSON.stringify({
      type,
      created_at: new Date().toISOString(),
      data: {
        email_id: emailId,
        from: stored?.from,
        to: stored?.to,
        subject: stored?.subject,
        created_at: stored?.createdAt,
        ...data,
      },
    });
    const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    // Svix retries a delivery that fails (no answer, or any status but 2xx) on a schedule of 5 s, 5 min,
    // 30 min, ... with the same svix-id and a fresh timestamp and signature; the stand-in keeps its
    // order on a local scale (0.5, 2, 5 s) so a demo or a test sees the event after a hiccup.
    for (const waitMs of [0, 500, 2_000, 5_000]) {
      if (waitMs) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const timestamp = new Date();
      const response = await fetch(options.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "svix-id": id,
          "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "svix-signature": signer.sign(id, timestamp, payload),
        },
        body: payload,
      }).then(async (answer) => {
        await answer.body?.cancel();
        return answer;
      }).catch(() => null);
      if (response?.ok) return response;
    }
    return null;
  }

  function store(email: StoredEmail) {
    acceptedCount++;
    messages.unshift(email);
    byId.set(email.id, email);
    while (messages.length > keep) byId.delete(messages.pop()!.id);
  }

  async function sendEmail(request: Request): Promise<Response> {
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!bearer) return resendError(401, "missing_api_key", "Missing API key in the authorization header.");
    if (bearer !== options.apiKey) return resendError(403, "invalid_api_key", "API key is invalid.");
    const raw = await request.text();
    // deno-lint-ignore no-explicit-any -- the request body is checked field by field below
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return resendError(422, "validation_error", "Invalid JSON body.");
    }
    const to = typeof body?.to === "string" ? [body.to] : body?.to;
    if (typeof body?.from !== "string" || !body.from) {
      return resendError(422, "validation_error", "The `from` field is required.");
    }
    if (!Array.isArray(to) || to.length === 0 || to.length > 50 || to.some((t) => typeof t !== "string")) {
      return resendError(422, "validation_error", "The `to` field must name 1 to 50 addresses.");
    }
    if (typeof body.subject !== "string" || !body.subject) {
      return resendError(422, "validation_error", "The `subject` field is required.");
    }
    if (typeof body.html !== "string" && typeof body.text !== "string") {
      return resendError(422, "validation_error", "Either `html` or `text` is required.");
    }
    const key = request.headers.get("idempotency-key") ?? undefined;
    if (key) {
      const seen = idempotent.get(key);
      if (seen) {
        if (seen.body !== raw) {
          return resendError(
            409,
            "invalid_idempotent_request",
            "Same idempotency key used with a different payload.",
          );
        }
        return json({ id: seen.id });
      }
    }
    const email: StoredEmail = {
      id: crypto.randomUUID(),
      from: body.from,
      to,
      subject: body.subject,
      html: body.html,
      text: body.text,
      headers: body.headers ?? {},
      tags: body.tags ?? [],
      idempotencyKey: key,
      createdAt: new Date().toISOString(),
    };
    if (key) idempotent.set(key, { body: raw, id: email.id });
    store(email);
    // Like Resend, delivery events arrive after the API answered.
    setTimeout(() => {
      emit("email.sent", email.id).then(() => emit("email.delivered", email.id));
    }, 0);
    return json({ id: email.id });
  }

  function inbox(): Response {
    const escape = (text: string) =>
      text.replace(
        /[&<>"']/g,
        (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
      );
    const rows = messages.slice(0, 200).map((m) =>
      `<tr><td>${escape(m.createdAt)}</td><td>${escape(m.to.join(", "))}</td>` +
      `<td><a href="/messages/${m.id}.html">${escape(m.subject)}</a></td>` +
      `<td><a href="/api/v1/messages/${m.id}">json</a></td></tr>`
    ).join("");
    return new Response(
      `<!doctype html><meta charset="utf-8"><title>Resend stand-in inbox</title>` +
        `<h1>Resend stand-in: ${acceptedCount} messages received</h1>` +
        `<table border="1" cellpadding="4"><tr><th>received</th><th>to</th><th>subject</th><th></th></tr>${rows}</table>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/$/, "") || "/";
    if (request.method === "POST" && path === "/emails") return await sendEmail(request);
    if (request.method === "GET" && path.startsWith("/emails/")) {
      const found = byId.get(path.slice("/emails/".length));
      return found ? json({ object: "email", ...found }) : resendError(404, "not_found", "Email not found.");
    }
    if (request.method === "GET" && path === "/") return inbox();
    if (request.method === "GET" && path === "/api/v1/messages") {
      const to = url.searchParams.get("to")?.toLowerCase();
      const list = messages.filter((m) => !to || m.to.some((address) => address.toLowerCase() === to));
      return json({
        total: acceptedCount,
        messages: list.slice(0, 500).map(({ id, to, subject, from, createdAt }) => ({
          id,
          from,
          to,
          subject,
          createdAt,
        })),
      });
    }
    if (request.method === "DELETE" && path === "/api/v1/messages") {
      messages.length = 0;
      byId.clear();
      return json({ deleted: true });
    }
    const single = path.match(/^\/(?:api\/v1\/)?messages\/([\w-]+?)(\.html)?$/);
    if (request.method === "GET" && single) {
      const found = byId.get(single[1]);
      if (!found) return resendError(404, "not_found", "Message not found.");
      if (single[2]) {
        return new Response(found.html ?? `<pre>${found.text ?? ""}</pre>`, {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      return json(found);
    }
    return resendError(404, "not_found", "The requested endpoint does not exist.");
  }

  return { handle, messages, accepted: () => acceptedCount, emit };
}
