// Fixtures for the tracking tests: batches of fresh events, a client that retries what was not
// acknowledged (as the browser SDK would), and a helper that waits for the rollups to catch up.
import { api, type ApiResponse, eventually, sql } from "../../support/harness.ts";

export interface TestEvent {
  id: string;
  type: string;
  category?: string;
  elementId?: string;
  value?: string;
  previousValue?: string;
  timeSpentMs?: number;
  occurredAt: string;
  props?: Record<string, unknown>;
}

/** n valid events for a session, cycling through the types, with a test-private category. */
export function makeEvents(n: number, category = `cat-${crypto.randomUUID().slice(0, 8)}`): TestEvent[] {
  const types = ["page_view", "click", "selection", "hover", "scroll"];
  return Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    type: types[i % types.length],
    category,
    elementId: `el-${i}`,
    value: types[i % types.length] === "selection" ? `option-${i % 3}` : undefined,
    timeSpentMs: 100 + i,
    occurredAt: new Date(Date.now() - (n - i) * 10).toISOString(),
  }));
}

export function sendEvents(sessionId: string, events: unknown[], extra: Record<string, unknown> = {}) {
  return api("track/events", { body: { sessionId, events, ...extra } });
}

/** True when every item of the batch is known to be stored (accepted or duplicate, nothing shed). */
export function acknowledged(response: ApiResponse): boolean {
  return response.status === 202 && response.body?.shed === false;
}

/**
 * Sends a batch until the server acknowledges it, backing off on shedding, 503 or network errors.
 * Returns the acknowledging response and how many attempts it took.
 */
export async function sendUntilAcknowledged(
  path: string,
  body: Record<string, unknown>,
  deadlineMs = 60_000,
): Promise<{ response: ApiResponse; attempts: number }> {
  const deadline = Date.now() + deadlineMs;
  let attempts = 0;
  let delay = 50;
  while (true) {
    attempts++;
    try {
      const response = await api(path, { body });
      if (acknowledged(response)) return { response, attempts };
      if (response.status < 500 && response.status !== 202 && response.status !== 429) {
        throw new Error(`batch refused with ${response.status}: ${response.text.slice(0, 200)}`);
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("batch refused")) throw error;
    }
    if (Date.now() > deadline) throw new Error(`batch not acknowledged after ${attempts} attempts`);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 1000);
  }
}

export async function storedEventCount(ids: string[]): Promise<number> {
  const [row] = await sql()`select count(*)::int as n from tracking.events where id = any(${ids}::uuid[])`;
  return row.n;
}

/**
 * Runs the rollup job until `check` passes (rows received in the last second wait for the next run).
 * A run may be killed by the kill-midway test running in parallel: that run is simply retried.
 */
export async function rollUntil<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  return await eventually(async () => {
    await sql()`select tracking.run_rollups()`.catch(() => {});
    return await check();
  }, timeoutMs);
}

/**
 * Runs the rollup job until its watermark passes `instant`. Everything acknowledged before that
 * instant was received before it, so from then on every rollup holds all of it. Waiting for one
 * expected figure instead is not enough: per-session facts are recomputed from the sessions table,
 * so they can be complete while events received in the last second still wait for the next run.
 */
export async function rollPast(instant: Date, timeoutMs = 30_000): Promise<void> {
  await rollUntil(async () => {
    const [state] = await sql()`
      select processed_until >= ${instant} as passed from tracking.rollup_state where name = 'rollups'`;
    return state?.passed === true;
  }, timeoutMs);
}
