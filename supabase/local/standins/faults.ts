// What both provider stand-ins share: scripted faults (the next matching calls time out, answer 5xx
// or 429), a record of every call, and signed webhook delivery with retries like the providers'.
// Tests switch faults on through POST /_standin/faults and read calls from GET /_standin/calls.

export type FaultKind = "timeout" | "500" | "503" | "429";

export interface Fault {
  kind: FaultKind;
  /** Only calls whose path or body contains this text (e.g. a test customer's e-mail). */
  match?: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  body: string;
  at: number;
  idempotencyKey?: string | null;
}

export class StandinControl {
  faults: Fault[] = [];
  calls: RecordedCall[] = [];
  /** How long a "timeout" fault holds its answer: longer than any client waits. */
  holdMs = 3_000;
  /** The stand-in's objects (payment intents, transactions) whose JSON contains a text, for tests. */
  objects: (match: string) => unknown[] = () => [];

  /** The fault for this call, if one is scripted (consumed once). */
  take(call: RecordedCall): Fault | undefined {
    const index = this.faults.findIndex((fault) =>
      !fault.match || call.path.includes(fault.match) || call.body.includes(fault.match)
    );
    return index < 0 ? undefined : this.faults.splice(index, 1)[0];
  }

  /** Control routes; undefined when the request is not one. */
  async handle(request: Request, path: string): Promise<Response | undefined> {
    if (!path.startsWith("/_standin/")) return undefined;
    if (request.method === "POST" && path === "/_standin/faults") {
      const body = await request.json() as { faults: Fault[] };
      this.faults.push(...body.faults);
      return Response.json({ queued: this.faults.length });
    }
    if (request.method === "GET" && path.startsWith("/_standin/calls")) {
      const match = new URL(request.url).searchParams.get("match");
      return Response.json({
        calls: this.calls.filter((call) => !match || call.path.includes(match) || call.body.includes(match)),
      });
    }
    if (request.method === "GET" && path.startsWith("/_standin/objects")) {
      return Response.json({ objects: this.objects(new URL(request.url).searchParams.get("match") ?? "") });
    }
    if (request.method === "POST" && path === "/_standin/reset") {
      this.faults = [];
      this.calls = [];
      return Response.json({ reset: true });
    }
    return Response.json({ error: "unknown control route" }, { status: 404 });
  }

  /** Applies a scripted fault: answers instead of the handler, or delays the handler's answer. */
  async apply(fault: Fault | undefined, run: () => Promise<Response>): Promise<Response> {
    if (!fault) return await run();
    if (fault.kind === "429") {
      return Response.json({
        error: { type: "rate_limit_error", message: "Too many requests" },
        status: false,
        message: "Too many requests",
      }, {
        status: 429,
        headers: { "retry-after": "0" },
      });
    }
    if (fault.kind === "500" || fault.kind === "503") {
      return Response.json({
        error: { type: "api_error", message: "Something went wrong" },
        status: false,
        message: "Server error",
      }, {
        status: Number(fault.kind),
      });
    }
    // A timeout that happened after the provider did the work: the ambiguous case retries must survive.
    const response = await run();
    await new Promise((resolve) => setTimeout(resolve, this.holdMs));
    return response;
  }
}

/** POSTs a webhook with the provider's headers, retrying non-2xx answers a few times. */
export async function deliver(
  url: string,
  body: string,
  headers: Record<string, string>,
  attempts = 4,
): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.body?.cancel();
      if (response.ok) return response.status;
    } catch { /* retried */ }
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
  }
  return 0;
}

export const randomId = (prefix: string, length = 24) =>
  prefix +
  Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) =>
    "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
