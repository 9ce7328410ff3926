// The per-isolate result cache of search and autocomplete: lru-cache (isaacs), bounded by entries, with
// a TTL and stale-while-revalidate. Safe to share between callers: search.documents is readable by
// every role under the same policy (using true), so a result does not depend on who asks. The
// documents change a few times a day, so an expired answer is still served once while the query
// runs again in the background: a repeated keystroke never waits for the database because an entry
// aged out, and concurrent misses of one key share one query.
import { LRUCache } from "lru-cache";

const TTL_MS = 30_000;
const MAX_ENTRIES = 5_000;

/** A cache whose `get` answers from memory when it can and runs `load` (once per key at a time) when not. */
export function resultCache<T extends object>(
  load: (key: string) => Promise<T>,
  options: { ttlMs?: number; maxEntries?: number } = {},
) {
  const cache = new LRUCache<string, T>({
    max: options.maxEntries ?? MAX_ENTRIES,
    ttl: options.ttlMs ?? TTL_MS,
    allowStale: true,
    // An entry that expired stays until its refresh lands, so the stale answer can be served meanwhile.
    noDeleteOnStaleGet: true,
    fetchMethod: (key) => load(key),
  });
  return {
    async get(key: string): Promise<T> {
      const value = await cache.fetch(key);
      if (value === undefined) throw new Error("search result cache: the load returned nothing");
      return value;
    },
  };
}
