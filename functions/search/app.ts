// search: typo-tolerant search and autocomplete over Texas cities, ZIP codes, providers, plans and
// plan features (search.find in Postgres: pg_trgm, unaccent, Levenshtein, population), every query
// logged with its result count, and the popular / zero-result analytics for analysts.
import { z } from "zod";
import { requireRole } from "../../shared/auth.ts";
import { asUser, db } from "../../shared/db.ts";
import { type AppContext, caller, createApp, rateLimit, readQuery } from "../../shared/http.ts";
import { ResultCache } from "./cache.ts";
import { logQuery } from "./query-log.ts";

// The search class (120/min per IP) replaces the global one (100/min) here: a class more generous
// than the global limit only means something if it is not stacked under it. One Redis round trip
// per keystroke instead of two.
const app = createApp("search", { cors: true, globalRateLimit: false });

const DOC_TYPES = ["city", "zip", "provider", "plan", "feature"] as const;

const q = z.string().trim().min(1, "q is required").max(200, "q is limited to 200 characters");
const sessionId = z.uuid().optional();

const SearchQuery = z.object({
  q,
  types: z.string().optional().transform((value, ctx) => {
    if (!value) return null;
    const types = [...new Set(value.split(",").map((t) => t.trim()).filter(Boolean))].sort();
    const unknown = types.filter((t) => !(DOC_TYPES as readonly string[]).includes(t));
    if (unknown.length) {
      ctx.addIssue({
        code: "custom",
        message: `unknown types: ${unknown.join(", ")} (use ${DOC_TYPES.join(", ")})`,
      });
      return z.NEVER;
    }
    return types;
  }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  sessionId,
});

const AutocompleteQuery = z.object({
  q,
  limit: z.coerce.number().int().min(1).max(20).default(8),
  sessionId,
});

const AnalyticsQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

interface Found {
  doc_type: string;
  ref_id: string;
  label: string;
  subtitle: string | null;
  payload: Record<string, unknown>;
  score: number;
}

type Item = Record<string, unknown>;
type Mode = "search" | "autocomplete";

const results = new ResultCache<Item[]>();

interface FindRequest {
  q: string;
  types: string[] | null;
  limit: number;
  mode: Mode;
  sessionId?: string;
}

/**
 * Runs search.find (cached briefly) and shapes each document as an item. It runs as one statement on
 * the service connection, not as the caller: search.find only reads search.documents, which every
 * role reads in full (policy `using (true)`), so the answer cannot depend on who asks; asUser's
 * BEGIN, set_config and COMMIT would add three round trips to every keystroke.
 */
async function find(c: AppContext, request: FindRequest): Promise<Item[]> {
  const who = await caller(c);
  // Only case and spacing are folded: search.normalize in SQL folds more (unaccent turns ø into o and
  // ß into ss), and a key that approximates it would let distinct queries share each other's results.
  const text = request.q.trim().toLowerCase().replace(/\s+/g, " ");
  const key = JSON.stringify([request.mode, text, request.types, request.limit]);
  let items = results.get(key);
  if (!items) {
    const rows = await db()<Found[]>`
      select doc_type, ref_id, label, subtitle, payload, score
      from search.find(${request.q}, ${request.types}::text[], ${request.limit}, ${request.mode})`;
    items = rows.map((row) => ({
      type: row.doc_type,
      id: row.ref_id,
      label: row.label,
      subtitle: row.subtitle,
      score: Math.round(row.score * 1000) / 1000,
      ...row.payload,
    }));
    results.set(key, items);
  }
  logQuery({
    session_id: request.sessionId ?? null,
    user_id: who.userId ?? null,
    query: request.q,
    kind: request.mode,
    types: request.types,
    result_count: items.length,
  });
  return items;
}

app.get("/", rateLimit("search"), async (c) => {
  const query = readQuery(c, SearchQuery);
  const items = await find(c, { ...query, mode: "search" });
  return c.json({ query: query.q, items });
});

app.get("/autocomplete", rateLimit("search"), async (c) => {
  const query = readQuery(c, AutocompleteQuery);
  const items = await find(c, { ...query, types: null, mode: "autocomplete" });
  return c.json({ query: query.q, items });
});

app.get("/analytics", rateLimit("api"), async (c) => {
  const who = await caller(c);
  requireRole(who, ["admin", "analyst"]);
  const query = readQuery(c, AnalyticsQuery);
  const [row] = await asUser(
    who.claims,
    (tx) =>
      tx`select search.query_analytics(now() - make_interval(days => ${query.days}), now(), ${query.limit}) as analytics`,
  );
  return c.json(row.analytics);
});

export default app;
