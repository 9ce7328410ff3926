// A fake Resend for tests: the local stand-in's protocol (POST /emails with a Bearer key, Idempotency-Key,
// 422 validation, stored messages) plus failures a real provider has — timeouts, 429 with Retry-After,
// 5xx — queued per request. Also signs webhook events the way Resend's Svix does, for webhook tests.
import { Webhook } from "svix";
import { createResendStandin, type ResendStandin } from "../../../supabase/local/standins/resend.ts";
import { type FakeServer, startFakeServer } from "../harness.ts";

export type Failure = "timeout" | 429 | 500 | 502 | 503;

export interface FakeResend extends FakeServer {
  standin: ResendStandin;
  /** The next requests to /emails fail like this, in order. */
  fail(...failures: Failure[]): void;
  /** Idempotency keys of every POST /emails received (repeats included). */
  keys(): string[];
}

export function startFakeResend(options: { apiKey: string; hangMs?: number }): FakeResend {
  const standin = createResendStandin({ apiKey: options.apiKey });
  const failures: Failure[] = [];
  const server = startFakeServer(async (recorded) => {
    const request = new Request(`http://fake${recorded.path}`, {
      method: recorded.method,
      headers: recorded.headers,
      body: recorded.method === "GET" ? undefined : recorded.body,
    });
    if (recorded.method === "POST" && recorded.path === "/emails" && failures.length) {
      const failure = failures.shift()!;
      if (failure === "timeout") {
        // Longer than the client's timeout: it gives up; the answer goes nowhere.
        await new Promise((resolve) => setTimeout(resolve, options.hangMs ?? 1500));
        return Response.json({ id: "too-late" });
      }
      if (failure === 429) {
        return Response.json(
          { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests." },
          { status: 429, headers: { "retry-after": "1" } },
        );
      }
      return Response.json({
        statusCode: failure,
        name: "internal_server_error",
        message: "Unexpected error.",
      }, {
        status: failure,
      });
    }
    return await standin.handle(request);
  });
  return Object.assign(server, {
    standin,
    fail: (...more: Failure[]) => void failures.push(...more),
    keys: () =>
      server.requests.filter((r) => r.path === "/emails" && r.method === "POST").map((r) =>
        r.headers.get("idempotency-key") ?? ""
      ),
  });
}

/** Svix headers for a webhook body, as Resend sends them (timestamp defaults to now). */
export function svixHeaders(secret: string, body: string, at = new Date()): Record<string, string> {
  const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  return {
    "content-type": "application/json",
    "svix-id": id,
    "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
    "svix-signature": new Webhook(secret).sign(id, at, body),
  };
}
