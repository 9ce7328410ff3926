// A fake BuyPower for tests: the local sandbox's protocol core (signed answers, 409 for a repeated
// orderId, requery by orderId) plus every failure the real API shows, injected per call: 202 with a
// requery delay, 409, 400, 422, 500, 502, 503, 501, 429, slow answers and timeouts, tampered and
// unsigned bodies. It counts POST /vend and requeries per orderId, so tests can prove one vend per
// orderId however the outcome was learned.
import { BuyPowerSandbox } from "../../../supabase/local/standins/buypower.ts";

export interface Injection {
  /** The HTTP status to answer with (202, 409, 500, ...); default: the sandbox's own answer. */
  status?: number;
  /** Whether the vend really happens at the vendor (default true for 202/500/502/hang/tamper/409). */
  process?: boolean;
  /** 202's requery schedule. */
  delay?: number[];
  /** Wait this long before answering (a timeout when longer than the client's). */
  hangMs?: number;
  /** Change the body after signing. */
  tamper?: boolean;
  /** No signature header at all. */
  unsigned?: boolean;
  /** Requery: answer this body code (201 processing, 202 failed, 203 never initiated). */
  code?: number;
}

export interface FakeBuyPower {
  url: string;
  sandbox: BuyPowerSandbox;
  /** POST /vend calls per orderId (every call, duplicates included). */
  posts: Map<string, number>;
  requeries: Map<string, number>;
  /** Injections for the next POST /vend calls, in order (then the sandbox answers). */
  nextVends: Injection[];
  nextRequeries: Injection[];
  nextChecks: Injection[];
  /** A rule for every POST /vend (after nextVends is empty). */
  vendRule?: (orderId: string) => Injection | undefined;
  requeryRule?: (orderId: string) => Injection | undefined;
  /** Vend and requery calls being answered right now, and the most ever at once. */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

const MESSAGES: Record<number, string> = {
  202: "Transaction is still in progress. Please requery in 120 seconds",
  400: "Invalid order id",
  409: "Request already received",
  422: "Insufficient wallet balance",
  429: "Too many requests. Please requery later",
  500: "An error occurred. Please requery to get status",
  501: "Meter requires maintenance at the DISCO",
  502: "Bad gateway. Please requery to get status",
  503: "Service temporarily unavailable",
};

export function startFakeBuyPower(options: { apiKey: string; latencyMs?: number }): FakeBuyPower {
  const sandbox = new BuyPowerSandbox({ apiKey: options.apiKey });
  const fake = {
    sandbox,
    posts: new Map<string, number>(),
    requeries: new Map<string, number>(),
    nextVends: [] as Injection[],
    nextRequeries: [] as Injection[],
    nextChecks: [] as Injection[],
    inFlight: 0,
    maxInFlight: 0,
  } as FakeBuyPower;

  const answer = async (
    injection: Injection | undefined,
    status: number,
    payload: unknown,
  ): Promise<Response> => {
    if (injection?.hangMs) await new Promise((resolve) => setTimeout(resolve, injection.hangMs));
    const response = sandbox.respond(status, payload, injection?.tamper ?? false);
    if (!injection?.unsigned) return response;
    const headers = new Headers(response.headers);
    headers.delete("x-buypower-signature");
    return new Response(response.body, { status, headers });
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    fake.inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
    try {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      return await route(request);
    } finally {
      fake.inFlight--;
    }
  });

  const route = async (request: Request): Promise<Response> => {
    if (!sandbox.authorized(request)) return sandbox.respond(401, { status: false, message: "Unauthorized" });
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/v2/, "");
    if (request.method === "POST" && path === "/vend") {
      const body = await request.json().catch(() => ({}));
      const orderId = String(body.orderId ?? "");
      fake.posts.set(orderId, (fake.posts.get(orderId) ?? 0) + 1);
      const injection = fake.nextVends.shift() ?? fake.vendRule?.(orderId);
      if (!injection?.status) {
        const [status, payload] = sandbox.vend(body);
        return await answer(injection, status, payload);
      }
      const processes = injection.process ?? [202, 409, 500, 502].includes(injection.status);
      if (processes) sandbox.vend(body);
      const payload = injection.status === 202
        ? {
          status: false,
          responseCode: 202,
          message: MESSAGES[202],
          delay: injection.delay ?? [120, 120, 120],
        }
        : { status: false, responseCode: injection.status, message: MESSAGES[injection.status] ?? "Error" };
      return await answer(injection, injection.status, payload);
    }
    const requery = path.match(/^\/transaction\/([^/]+)$/);
    if (request.method === "GET" && requery) {
      const orderId = decodeURIComponent(requery[1]);
      fake.requeries.set(orderId, (fake.requeries.get(orderId) ?? 0) + 1);
      const injection = fake.nextRequeries.shift() ?? fake.requeryRule?.(orderId);
      if (injection?.code) {
        return await answer(injection, injection.code, {
          status: false,
          responseCode: injection.code,
          message:
            { 201: "Transaction is processing", 202: "Transaction failed", 203: "Transaction not initiated" }[
              injection.code
            ] ?? "Unknown",
        });
      }
      if (injection?.status) {
        return await answer(injection, injection.status, {
          status: false,
          responseCode: injection.status,
          message: MESSAGES[injection.status] ?? "Error",
        });
      }
      const [status, payload] = sandbox.requery(orderId);
      return await answer(injection, status, payload);
    }
    if (request.method === "GET" && path === "/check/meter") {
      const injection = fake.nextChecks.shift();
      if (injection?.status) {
        return await answer(injection, injection.status, {
          error: true,
          message: MESSAGES[injection.status] ?? "Error",
        });
      }
      const [status, payload] = sandbox.checkMeter(url);
      return await answer(injection, status, payload);
    }
    return await sandbox.handle(
      new Request(request.url, { method: request.method, headers: request.headers }),
    );
  };
  fake.url = `http://127.0.0.1:${server.addr.port}/v2`;
  fake.close = () => server.shutdown();
  return fake;
}
