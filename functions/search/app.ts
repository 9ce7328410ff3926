// search: typo-tolerant search and autocomplete over Texas cities, ZIP codes, providers, plans and
// plan features (search.find in Postgres: pg_trgm, unaccent, Levenshtein, population), every query
// logged with its result count, and the popular / zero-result analytics for analysts.
import { z } from "zod";
import { resolveWindow, WindowQuery } from "../../shared/window.ts";
import { db, rpcAs, rpcRows } from "../../shared/db.ts";
import {
  type AppContext,
  caller,
  createApp,
  jsonResponse,
  rateLimit,
  requireRoles,
  route,
} from "../../shared/http.ts";
import { resultCache } from "./cache.ts";
import { logQuery } from "./query-log.ts";

// The search class (120/min per IP) replaces the global one (100/min) here: a class more generous
// than the global limit only means something if it is not stacked under it. One Redis round trip
// per keystroke instead of two.
const app = createApp("search", {
  cors: true,
  globalRateLimit: false,
  description: "Typo-tolerant search and autocomplete over Texas places, providers, plans and features.",
});

const DOC_TYPES = ["city", "zip", "provider", "plan", "feature"] as const;

const q = z.string().trim().min(1, "q is required").max(200, "q is limited to 200 characters");
const sessionId = z.uuid().optional();

const SearchQuery = z.object({
  q,
  types: z.string().optional().meta({ description: `Comma-separated: ${DOC_TYPES.join(", ")}.` }).transform(
    (value, ctx) => {
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
    },
  ),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  sessionId,
});

const AutocompleteQuery = z.object({
  q,
  limit: z.coerce.number().int().min(1).max(20).default(8),
  sessionId,
});

// The shared analytics window (range=24h|7d|30d|90d or from/to), as in leads and tracking.
const AnalyticsQuery = WindowQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(20) });

interface Found {
  doc_type: string;
  ref_id: string;
  label: string;
  subtitle: string | null;
  payload: Record<string, z.core.util.JSONType>;
  score: number;
}

const SearchItem = z.looseObject({
  type: z.enum(DOC_TYPES),
  id: z.string(),
  label: z.string(),
  subtitle: z.string().nullable(),
  score: z.number(),
}).meta({ id: "SearchItem", description: "One document; its type's payload fields follow." });
type Item = z.infer<typeof SearchItem>;
type Mode = "search" | "autocomplete";

/** The cache key of a request: what search.find answers depends on, and nothing else. */
type FindKey = [mode: Mode, text: string, types: string[] | null, limit: number];

const results = resultCache<Item[]>(async (key) => {
  const [mode, text, types, limit] = JSON.parse(key) as FindKey;
  const rows = await rpcRows<Found>(db(), "search.find", { q: text, types, max_results: limit, mode });
  return rows.map((row) => ({
    type: row.doc_type as Item["type"],
    id: row.ref_id,
    label: row.label,
    subtitle: row.subtitle,
    score: Math.round(row.score * 1000) / 1000,
    ...row.payload,
  }));
});

interface FindRequest {
  q: string;
  types: string[] | null;
  limit: number;
  mode: Mode;
  sessionId?: string;
}

/**
 * Runs search.find (cached briefly, see cache.ts) and shapes each document as an item. It runs as one statement on
 * the service connection, not as the caller: search.find only reads search.documents, which every
 * role reads in full (policy `using (true)`), so the answer cannot depend on who asks; asUser's
 * BEGIN, set_config and COMMIT would add three round trips to every keystroke.
 */
async function find(c: AppContext, request: FindRequest): Promise<Item[]> {
  const who = await caller(c);
  // Only case and spacing are folded: search.normalize in SQL folds more (unaccent turns ø into o and
  // ß into ss), and a key that approximates it would let distinct queries share each other's results.
  const text = request.q.trim().toLowerCase().replace(/\s+/g, " ");
  const key: FindKey = [request.mode, text, request.types, request.limit];
  const items = await results.get(JSON.stringify(key));
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

const SearchAnswer = z.object({ query: z.string(), items: z.array(SearchItem) });

app.openapi(
  route({
    method: "get",
    path: "/",
    summary: "Search cities, ZIP codes, providers, plans and features (typo-tolerant)",
    tags: ["search"],
    middleware: [rateLimit("search")],
    request: { query: SearchQuery },
    responses: { 200: jsonResponse(SearchAnswer, "The best matches, best first.") },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const items = await find(c, { ...query, mode: "search" });
    return c.json({ query: query.q, items }, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/autocomplete",
    summary: "Autocomplete as the user types (prefix-weighted, typo-tolerant)",
    tags: ["search"],
    middleware: [rateLimit("search")],
    request: { query: AutocompleteQuery },
    responses: { 200: jsonResponse(SearchAnswer, "Suggestions, best first.") },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const items = await find(c, { ...query, types: null, mode: "autocomplete" });
    return c.json({ query: query.q, items }, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/analytics",
    summary: "Popular and zero-result queries",
    tags: ["analytics"],
    middleware: [requireRoles("admin", "analyst"), rateLimit("api")],
    request: { query: AnalyticsQuery },
    responses: { 200: jsonResponse(z.looseObject({}), "Popular queries and queries that found nothing.") },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const window = resolveWindow(query);
    const analytics = await rpcAs<Record<string, unknown>>(
      (await caller(c)).claims,
      "search.query_analytics",
      [window.from, window.to, query.limit],
    );
    return c.json(analytics, 200);
  },
);

const Feature = z.object({ id: z.string(), label: z.string(), subtitle: z.string().nullable() });

app.openapi(
  route({
    method: "get",
    path: "/features",
    summary: "Plan features search knows (ids for filters and the `feature` type)",
    tags: ["search"],
    middleware: [rateLimit("search")],
    responses: { 200: jsonResponse(z.object({ features: z.array(Feature) }), "Every feature, by label.") },
  }),
  async (c) => {
    // search.documents is public (policy `using (true)`), so one statement on the service connection.
    const rows = await db()<{ id: string; label: string; subtitle: string | null }[]>`
      select ref_id as id, label, subtitle from search.documents where doc_type = 'feature' order by label`;
    return c.json({ features: rows.map((row) => ({ ...row })) }, 200);
  },
);

export default app;
