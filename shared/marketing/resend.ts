// Resend's HTTP API (POST /emails with a Bearer key). Called with fetch rather than the `resend` SDK:
// the SDK hides the status code and the Retry-After header, which the send job needs to tell a
// retryable failure (timeout, 429, 5xx, 409 concurrent idempotent request) from a final one (other 4xx).
// Every call carries the outbox row's id as Idempotency-Key, so a repeat after a lost answer is
// answered with the first send instead of a second e-mail.

export interface OutgoingEmail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  tags?: Array<{ name: string; value: string }>;
}

export type SendResult =
  | { outcome: "sent"; id: string }
  | { outcome: "retry"; error: string; retryAfterSeconds?: number }
  | { outcome: "dead"; error: string };

export interface ResendClient {
  send(email: OutgoingEmail, idempotencyKey: string): Promise<SendResult>;
}

export function resendClient(options: { baseUrl: string; apiKey: string; timeoutMs: number }): ResendClient {
  const url = `${options.baseUrl.replace(/\/$/, "")}/emails`;
  return {
    async send(email, idempotencyKey) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            "content-type": "application/json",
            "idempotency-key": idempotencyKey,
            "user-agent": "powerbase-marketing/1",
          },
          body: JSON.stringify(email),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        const name = (error as Error).name;
        return {
          outcome: "retry",
          error: name === "TimeoutError"
            ? `timeout after ${options.timeoutMs} ms`
            : `network: ${String(error)}`,
        };
      }
      const text = await response.text();
      if (response.ok) {
        const id = safeJson(text)?.id;
        if (typeof id === "string" && id) return { outcome: "sent", id };
        return { outcome: "retry", error: `HTTP ${response.status} without an id` };
      }
      const answer = safeJson(text);
      const message = `HTTP ${response.status}: ${String(answer?.message ?? text).slice(0, 200)}`;
      // 409 invalid_idempotent_request: this key was already sent with other content (the template
      // changed between attempts); sending again would be the duplicate we must never send.
      if (response.status === 409 && answer?.name === "invalid_idempotent_request") {
        return { outcome: "dead", error: `${message} (already sent under this key)` };
      }
      if (response.status === 429 || response.status === 409 || response.status >= 500) {
        const retryAfter = Number(response.headers.get("retry-after"));
        return {
          outcome: "retry",
          error: message,
          ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
        };
      }
      return { outcome: "dead", error: message };
    },
  };
}

// deno-lint-ignore no-explicit-any -- provider answers are read field by field
function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
