// @ts-check
/// <reference lib="dom" />
// The dashboard's types, all from the generated database types (types/database.ts, `./dev types`):
// `./dev check` type-checks every dashboard file against them (JSDoc under // @ts-check, so the browser
// loads the files as they are, with nothing to transpile), and a renamed column or RPC field breaks the
// check of the panel that reads it. The files import nothing at run time from here.
//
// The panels read through the functions: each answer below is the row type of the exposed RPC or table
// the function passes through under the caller's RLS (functions/<name>/app.ts), and each broadcast is
// typed by the columns its trigger sends.

/** @typedef {import("../types/database.ts").Database} Database */
/** @typedef {import("../types/database.ts").Json} Json */
/** The project client, typed against the exposed schemas (what `createClient<Database>` returns). */
/** @typedef {import("@supabase/supabase-js").SupabaseClient<Database>} Client */
/** @typedef {typeof import("chart.js").Chart} ChartConstructor */

/** @typedef {{ status: number, body: any }} Answer */
/**
 * A function's answer with the body typed (`call` in the panel context).
 * @template T
 * @typedef {{ status: number, body: T }} TypedAnswer
 */

/**
 * What a panel is given: `call(path)` reaches /functions/v1/<path> with the user's token.
 * @typedef {object} PanelContext
 * @property {(path: string) => Promise<Answer>} call
 * @property {ChartConstructor} Chart
 * @property {(topic: string, onMessage: (event: string, payload: Record<string, unknown>) => void,
 *   onJoined?: () => void) => () => void} watch
 */

/**
 * @typedef {object} MountedPanel
 * @property {() => Promise<"ok" | "denied">} refresh
 * @property {(topic: string, event: string, payload: any) => void} onBroadcast
 * @property {() => void} destroy
 */

/**
 * @typedef {object} Panel
 * @property {string} id
 * @property {string} title
 * @property {string[]} topics private broadcast topics the panel follows
 * @property {(element: HTMLElement, context: PanelContext) => MountedPanel} mount
 */

// Commerce: GET /orders/analytics/{revenue,payment-success} return the RPCs' rows as `items`.
/** @typedef {Database["commerce"]["Functions"]["revenue_by_day"]["Returns"][number]} RevenueRow */
/** @typedef {Database["commerce"]["Functions"]["payment_success_rate"]["Returns"][number]} PaymentSuccessRow */
/** @typedef {Database["commerce"]["Tables"]["stock_alerts"]["Row"]} StockAlertRow */
/** @typedef {Database["commerce"]["Tables"]["variants"]["Row"]} VariantRow */
/**
 * GET /inventory/alerts: commerce.stock_alerts joined to its variant's SKU.
 * @typedef {{ id: StockAlertRow["id"], kind: StockAlertRow["kind"], sku: VariantRow["sku"],
 *   details: StockAlertRow["details"], raisedAt: StockAlertRow["raised_at"],
 *   resolvedAt: StockAlertRow["resolved_at"] }} StockAlert
 */
/**
 * commerce:stock-alerts (private.commerce_broadcast_alert): the alert's columns, camel-cased.
 * @typedef {{ id: StockAlertRow["id"], kind: StockAlertRow["kind"], variantId: StockAlertRow["variant_id"],
 *   lotId: StockAlertRow["lot_id"], details: StockAlertRow["details"], raisedAt: StockAlertRow["raised_at"],
 *   resolvedAt: StockAlertRow["resolved_at"] }} StockAlertBroadcast
 */

// Leads: GET /leads/dashboard returns the five leads.dashboard_* RPCs under their own names.
/** @typedef {Database["leads"]["Tables"]["leads"]["Row"]} LeadRow */
/**
 * leads:dashboard, event lead_hot (private.leads_announce_hot): these columns of the lead.
 * @typedef {Pick<LeadRow, "id" | "kind" | "score" | "trust_score" | "office_id" | "owner_id" | "company_name"
 *   | "industry" | "zip">} HotLeadBroadcast
 */
/** The RPCs' JSON (`Returns: Json` in the generated types), as leads.dashboard_* builds it. */
/**
 * @typedef {object} LeadsDashboard
 * @property {{ total: number, hot: number, conversionRate: number, averageScore: number }} summary
 * @property {Record<"byStatus" | "byIndustry" | "byScoreBucket", Array<{ key: string, count: number }>>} distribution
 * @property {Array<{ scoreBucket: string, trustBucket: string, count: number }>} qualityMatrix
 * @property {Array<{ stage: string, count: number }>} funnel
 * @property {Array<{ id: LeadRow["id"], companyName: LeadRow["company_name"], firstName: LeadRow["first_name"],
 *   lastName: LeadRow["last_name"], industry: LeadRow["industry"], score: LeadRow["score"],
 *   trustScore: LeadRow["trust_score"], status: LeadRow["status"] }>} topOpportunities
 */

// Vending: GET /vend/counts spreads vending.vend_counts; GET /vend/batches/{id} reads vending.batches.
/** @typedef {Database["vending"]["Tables"]["batches"]["Row"]} BatchRow */

export {};
