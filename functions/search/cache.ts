// The per-isolate result cache of search and autocomplete: lru-cache (isaacs), bounded by entries, with
// a TTL and stale-while-revalidate. Safe to share between callers: search.documents is readable by
// every role under the same policy (using true), so a result does not depend on who asks. The
// documents change a few times a day, so an expired answer is still served once while the query
// runs again in the background: a repeated keystroke never waits for the database because an entry
// aged out, and concurrent misses of one key share one query.
//
// Entries loaded together must not expire together: a burst of traffic fills hundreds of entries
// within a second, and with one fixed TTL all of them would reload in the same second, a burst of
// search.find queries that the keystrokes of that moment queue behind. So each entry's TTL is drawn
// between 75 % and 125 % of the nominal one, and background reloads (whose callers already have an
// answer) run a few at a time (p-limit), while a miss, whose caller waits, never queues behind them.
import { LRUCache } from "lru-cache";
import pLimit from "p-limit";

const TTL_MS = 30_000;
const MAX_ENTRIES = 5_000;
const TTL_JITTER = 0.25;
const BACKGROUND_RELOADS = 2;

/** A cache whose `get` answers from memory when it can and runs `load` (once per key at a time) when not. */
export function resultCache<T extends object>(
  load: (key: string) => Promise<T>,
  options: { ttlMs?: number; maxEntries?: number; backgroundReloads?: number; random?: () => number } = {},
) {
  const ttl = options.ttlMs ?? TTL_MS;
  const random = options.random ?? Math.random;
  const background = pLimit(options.backgroundReloads ?? BACKGROUND_RELOADS);
  const cache = new LRUCache<string, T>({
    max: options.maxEntries ?? MAX_ENTRIES,
    ttl,
    allowStale: true,
    // An entry that expired stays until its refresh lands, so the stale answer can be served meanwhile.
    noDeleteOnStaleGet: true,
    fetchMethod: (key, staleValue, { options: entry }) => {
      // The fetcher may set the TTL of the entry it is about to store.
      entry.ttl = Math.round(ttl * (1 - TTL_JITTER + 2 * TTL_JITTER * random()));
      return staleValue === undefined ? load(key) : background(() => load(key));
    },
  });
  return {
    async get(key: string): Promise<T> {
      const value = await cache.fetch(key);
      if (value === undefined) throw new Error("search result cache: the load returned nothing");
      return value;
    },
  };
}
