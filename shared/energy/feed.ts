// Downloads a PowerToChoose export with a conditional request (ETag / Last-Modified remembered in
// energy.feed_cache) and a deadline. Failures (timeouts, 5xx, refused connections) are reported as
// a FeedError, never thrown as something unexpected.
import type { Sql } from "../db.ts";

export const FEED_TIMEOUT_MS = 30_000;
export const MAX_FEED_BYTES = 20 * 1024 * 1024;

export class FeedError extends Error {
  constructor(message: string, readonly upstreamStatus?: number) {
    super(message);
    this.name = "FeedError";
  }
}

export interface DownloadedFeed {
  changed: true;
  body: string;
  sha256: string;
  etag: string | null;
  lastModified: string | null;
}

export type FeedResult = { changed: false; reason: "not_modified" | "same_content" } | DownloadedFeed;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function fetchFeed(sql: Sql, url: string, timeoutMs = FEED_TIMEOUT_MS): Promise<FeedResult> {
  const [cached] = await sql<{ etag: string | null; last_modified: string | null; body_sha256: string }[]>`
    select etag, last_modified, body_sha256 from energy.feed_cache where url = ${url} and expires_at > now()`;
  const headers: Record<string, string> = { accept: "text/csv, text/plain;q=0.9, */*;q=0.1" };
  if (cached?.etag) headers["if-none-match"] = cached.etag;
  if (cached?.last_modified) headers["if-modified-since"] = cached.last_modified;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new FeedError(
      timedOut ? `The feed did not answer within ${timeoutMs} ms.` : `The feed is unreachable.`,
    );
  }
  if (response.status === 304 && cached) {
    await response.body?.cancel();
    return { changed: false, reason: "not_modified" };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FeedError(`The feed answered HTTP ${response.status}.`, response.status);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_FEED_BYTES) {
    await response.body?.cancel();
    throw new FeedError(`The feed is larger than ${MAX_FEED_BYTES} bytes.`);
  }
  const body = await response.text();
  const digest = await sha256(body);
  if (cached && cached.body_sha256 === digest) return { changed: false, reason: "same_content" };
  return {
    changed: true,
    body,
    sha256: digest,
    etag: response.headers.get("etag"),
    lastModified: response.headers.get("last-modified"),
  };
}

/** Remembers a feed download that was imported, for the next conditional request (one day). */
export async function rememberFeed(sql: Sql, url: string, feed: DownloadedFeed): Promise<void> {
  await sql`
    insert into energy.feed_cache (url, etag, last_modified, body_sha256, fetched_at, expires_at)
    values (${url}, ${feed.etag}, ${feed.lastModified}, ${feed.sha256}, now(), now() + interval '1 day')
    on conflict (url) do update set etag = excluded.etag, last_modified = excluded.last_modified,
      body_sha256 = excluded.body_sha256, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`;
}
