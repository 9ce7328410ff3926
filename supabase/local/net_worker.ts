// The local stand-in for pg_net's background worker: takes committed requests off
// net.http_request_queue, performs them, and records each outcome in net._http_response. It wakes on
// a NOTIFY sent by the queue's trigger (delivered only at commit) and also polls, as pg_net does.
import postgres from "postgres";

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

const BATCH_SIZE = 200;
const POLL_MS = 1000;
const RESPONSE_TTL = "6 hours";

export function startNetWorker(dbUrl: string, log: (msg: string) => void): { stop: () => Promise<void> } {
  const sql = postgres(dbUrl, {
    max: 4,
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "pg_net local worker" },
  });
  let stopped = false;
  let draining: Promise<void> | null = null;
  let again = false;

  const perform = async (request: QueuedRequest) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), request.timeout_milliseconds);
    try {
      const response = await fetch(request.url, {
        method: request.method.toUpperCase(),
        headers: request.headers ?? {},
        body: request.method.toUpperCase() === "GET" || !request.body
          ? undefined
          : new Uint8Array(request.body),
        signal: controller.signal,
      });
      const content = await response.text();
      await sql`
        insert into net._http_response (id, status_code, content_type, headers, content, timed_out)
        values (${request.id}, ${response.status}, ${response.headers.get("content-type")},
                ${sql.json(Object.fromEntries(response.headers))}, ${content}, false)`;
    } catch (error) {
      const timedOut = controller.signal.aborted;
      await sql`
        insert into net._http_response (id, timed_out, error_msg)
        values (${request.id}, ${timedOut},
                ${
        timedOut ? `Timeout of ${request.timeout_milliseconds} ms reached` : String((error as Error).message)
      })`;
    } finally {
      clearTimeout(timer);
    }
  };

  const drainOnce = async (): Promise<number> => {
    const batch = await sql<QueuedRequest[]>`
      with next as (
        select id from net.http_request_queue order by id limit ${BATCH_SIZE} for update skip locked
      )
      delete from net.http_request_queue q using next where q.id = next.id
      returning q.id::text, q.method, q.url, q.headers, q.body, q.timeout_milliseconds`;
    await Promise.all(batch.map(perform));
    return batch.length;
  };

  const drain = () => {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      try {
        do {
          again = false;
          while (!stopped && await drainOnce() === BATCH_SIZE) { /* keep draining full batches */ }
        } while (again && !stopped);
        await sql`delete from net._http_response where created < now() - ${RESPONSE_TTL}::interval`;
      } catch (error) {
        // The schema may be mid-reset; the next wake or poll retries.
        if (!String(error).includes("does not exist")) log(`pg_net worker: ${error}`);
      } finally {
        draining = null;
      }
    })();
    return draining;
  };

  sql.listen("pg_net_local_queue", () => void drain()).catch((error) =>
    log(`pg_net worker listen: ${error}`)
  );
  const poller = setInterval(() => void drain(), POLL_MS);

  return {
    async stop() {
      stopped = true;
      clearInterval(poller);
      await draining;
      await sql.end({ timeout: 2 });
    },
  };
}
