// What the Realtime tests share: a supabase-js client pointed at the local stack's origin, and
// subscribing that resolves with the channel's outcome instead of callbacks.
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import { anonKey, config } from "../../support/harness.ts";

export const REALTIME_URL = `${config.apiUrl.replace(/^http/, "ws")}/realtime/v1/websocket`;

export interface Received {
  event: string;
  payload: Record<string, unknown>;
  meta?: { id?: string; replayed?: boolean };
}

/** A client whose Realtime token comes from `token()` (the accessToken option), never the anon key. */
export async function clientWith(
  token: () => Promise<string>,
  options: { vsn?: "1.0.0" | "2.0.0" } = {},
): Promise<SupabaseClient> {
  return createClient(config.apiUrl, await anonKey(), {
    accessToken: token,
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { ...(options.vsn ? { vsn: options.vsn } : {}), heartbeatIntervalMs: 5_000 },
  });
}

export type SubscribeOutcome = { status: "SUBSCRIBED" } | { status: string; error?: Error };

/** Subscribes and waits for the first terminal status (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED). */
export function subscribe(channel: RealtimeChannel, timeoutMs = 10_000): Promise<SubscribeOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: "TEST_TIMEOUT" }), timeoutMs);
    channel.subscribe((status, error) => {
      clearTimeout(timer);
      resolve(error ? { status, error } : { status });
    }, timeoutMs);
  });
}

/** Collects the channel's broadcasts of one event. */
export function collect(channel: RealtimeChannel, event: string): Received[] {
  const received: Received[] = [];
  channel.on("broadcast", { event }, (message) => received.push(message as unknown as Received));
  return received;
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
