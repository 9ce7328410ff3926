// The local stand-in for pg_net's background worker (supabase/pg_net src/worker.c): takes committed
// requests off net.http_request_queue, pg_net.batch_size (default 200) at a time, performs them,
// records each outcome in net._http_response, and deletes responses older than pg_net.ttl (default
// 6 hours), as upstream's worker does. It wakes on the NOTIFY that net.wake() sends (delivered only
// at commit) and also polls. Connects as supabase_admin, as upstream's worker runs as a superuser.
import postgres from "postgres";

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

const POLL_MS = 1000;
/** check_worker_is_up() and wait_until_running() find the worker by this name. */
export const NET_WORKER_NAME = "pg_net 0.20.4 worker";

/**
 * The headers upstream's worker hands libcurl (src/core.c init_curl_handle): the row's headers plus
 * `User-Agent: pg_net/<version>` when the row has headers at all; a body sent without a
 * Content-Type goes out as libcurl's POSTFIELDS default, application/x-www-form-urlencoded.
 */
export function requestHeaders(request: Pick<QueuedRequest, "method" | "headers" | "body">): Headers {
  const headers = new Headers(request.headers ?? {});
  if (request.headers !== null && !headers.has("user-agent")) headers.set("user-agent", "pg_net/0.20.4");
  if (request.method.toUpperCase() !== "GET" && request.body && !headers.has("content-type")) {
    headers.set("content-type", "application/x-www-form-urlencoded");
  }
  return headers;
}

export function startNetWorker(dbUrl: string, log: (msg: string) => void): { stop: () => Promise<void> } {
  const sql = postgres(dbUrl, {
    max: 4,
    prepare: false,
    onnotice: () => {},
    connection: { application_name: NET_WORKER_NAME },
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
        headers: requestHeaders(request),
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

  // The settings upstream reads as GUCs; unset, they take upstream's defaults.
  const settings = async () => {
    const [row] = await sql<{ ttl: string; batch_size: number }[]>`
      select coalesce(nullif(current_setting('pg_net.ttl', true), ''), '6 hours') as ttl,
             coalesce(nullif(current_setting('pg_net.batch_size', true), ''), '200')::int as batch_size`;
    return row;
  };

  const drainOnce = async (batchSize: number): Promise<number> => {
    const batch = await sql<QueuedRequest[]>`
      with next as (
        select id from net.http_request_queue order by id limit ${batchSize} for update skip locked
      )
      delete from net.http_request_queue q using next where q.id = next.id
      returning q.id::text, q.method, q.url, q.headers, q.body, q.timeout_milliseconds`;
    await Promise.all(batch.map(perform));
    return batch.length;
  };

  const deleteExpired = (ttl: string, batchSize: number) =>
    sql`
      with expired as (
        select ctid from net._http_response where created < now() - ${ttl}::interval
        order by created limit ${batchSize}
      )
      delete from net._http_response r using expired where r.ctid = expired.ctid`;

  const drain = () => {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      try {
        const { ttl, batch_size: batchSize } = await settings();
        do {
          again = false;
          await deleteExpired(ttl, batchSize);
          while (!stopped && await drainOnce(batchSize) === batchSize) { /* keep draining full batches */ }
        } while (again && !stopped);
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
