// A small per-isolate result cache for search and autocomplete. Safe to share between callers:
// search.documents is readable by every role under the same policy (using true), so a result
// does not depend on who asks. Entries live for TTL_MS; the documents change a few times a day.

const TTL_MS = 30_000;
const MAX_ENTRIES = 5_000;

interface Entry<T> {
  value: T;
  expires: number;
}

export class ResultCache<T> {
  #entries = new Map<string, Entry<T>>();

  constructor(readonly ttlMs = TTL_MS, readonly maxEntries = MAX_ENTRIES) {}

  get(key: string, now = Date.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert: Map keeps insertion order, so the oldest entry is always first (LRU).
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T, now = Date.now()): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: now + this.ttlMs });
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
