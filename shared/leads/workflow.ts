// The sales workflow over leads: list (offset pages and a keyset cursor), detail, decisions with
// feedback, bulk changes and CSV export. Everything runs through asUser, so row-level security
// decides what a caller sees and changes: a sales rep never reaches another office's leads.
import { asUser, type Claims, type Tx } from "../db.ts";
import { conflict, HttpError, notFound } from "../errors.ts";
import { csvRow } from "../csv.ts";
import { type BulkInput, type ListQuery, type PatchInput, SORTS } from "./schemas.ts";

const LEAD_COLUMNS = [
  "id",
  "kind",
  "status",
  "score",
  "trustScore",
  "reasonCodes",
  "firstName",
  "lastName",
  "email",
  "phone",
  "companyName",
  "industry",
  "companySize",
  "zip",
  "city",
  "officeId",
  "ownerId",
  "formType",
  "utmSource",
  "utmMedium",
  "utmCampaign",
  "utmTerm",
  "utmContent",
  "referrer",
  "landingPage",
  "consent",
  "consentVersion",
  "sessionId",
  "submissions",
  "createdAt",
  "updatedAt",
  "lastActivityAt",
] as const;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function selectColumns(tx: Tx) {
  return tx.unsafe(LEAD_COLUMNS.map((name) => `l.${snake(name)} as "${name}"`).join(", "));
}

/** Non-recoverable bad cursors are the caller's fault: 422, not 500. */
function decodeCursor(cursor: string, query: ListQuery): { value: string | number; id: string } {
  try {
    const decoded = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (decoded.s !== query.sort || decoded.o !== query.order || typeof decoded.id !== "string") {
      throw new Error();
    }
    if (!/^[0-9a-f-]{36}$/.test(decoded.id)) throw new Error();
    return { value: decoded.v, id: decoded.id };
  } catch {
    throw new HttpError(422, "invalid_cursor", "The cursor is malformed or belongs to another sort order.");
  }
}

function encodeCursor(query: ListQuery, value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return btoa(JSON.stringify({ s: query.sort, o: query.order, v, id })).replace(/\+/g, "-").replace(
    /\//g,
    "_",
  )
    .replace(/=+$/, "");
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterSql(tx: Tx, q: ListQuery) {
  const empty = tx``;
  return tx`
    ${q.status ? tx`and l.status = any(${q.status}::text[])` : empty}
    ${q.kind ? tx`and l.kind = ${q.kind}` : empty}
    ${q.industry ? tx`and l.industry = ${q.industry}` : empty}
    ${q.officeId ? tx`and l.office_id = ${q.officeId}::uuid` : empty}
    ${q.ownerId ? tx`and l.owner_id = ${q.ownerId}::uuid` : empty}
    ${q.minScore !== undefined ? tx`and l.score >= ${q.minScore}` : empty}
    ${q.maxScore !== undefined ? tx`and l.score <= ${q.maxScore}` : empty}
    ${q.createdFrom ? tx`and l.created_at >= ${q.createdFrom}::text::timestamptz` : empty}
    ${q.createdTo ? tx`and l.created_at < ${q.createdTo}::text::timestamptz` : empty}
    ${q.q ? tx`and l.search_text like ${`%${escapeLike(q.q.toLowerCase())}%`}` : empty}`;
}

function keysetSql(tx: Tx, q: ListQuery) {
  if (!q.cursor) return tx``;
  const { value, id } = decodeCursor(q.cursor, q);
  const column = tx.unsafe(`l.${SORTS[q.sort]}`);
  const typed = q.sort === "score" || q.sort === "trustScore"
    ? tx`${Number(value)}::int`
    : tx`${String(value)}::text::timestamptz`; // via text: keeps the microseconds a JS Date would drop
  return q.order === "desc"
    ? tx`and (${column}, l.id) < (${typed}, ${id}::uuid)`
    : tx`and (${column}, l.id) > (${typed}, ${id}::uuid)`;
}

interface LeadPage {
  items: Record<string, unknown>[];
  totalCount: number;
  hasNext: boolean;
  currentPage: number;
  pageSize: number;
  nextSkip: number | null;
  nextCursor: string | null;
}

/** One page of the leads the caller may see, in seed 001's envelope plus a keyset cursor. */
export function listLeads(claims: Claims, q: ListQuery): Promise<LeadPage> {
  return asUser(claims, async (tx) => {
    const direction = tx.unsafe(q.order === "desc" ? "desc" : "asc");
    const column = tx.unsafe(`l.${SORTS[q.sort]}`);
    const rows = await tx`
      select ${selectColumns(tx)}, ${column}::text as "_sortValue"
      from leads.leads l
      where true ${filterSql(tx, q)} ${keysetSql(tx, q)}
      order by ${column} ${direction}, l.id ${direction}
      limit ${q.limit + 1} offset ${q.cursor ? 0 : q.skip}`;
    const [{ count }] = await tx`select count(*)::int as count from leads.leads l where true ${
      filterSql(tx, q)
    }`;
    const hasNext = rows.length > q.limit;
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items: items.map(({ _sortValue, ...item }) => item),
      totalCount: count,
      hasNext,
      currentPage: q.cursor ? 0 : Math.floor(q.skip / q.limit),
      pageSize: q.limit,
      nextSkip: hasNext && !q.cursor ? q.skip + q.limit : null,
      nextCursor: hasNext && last ? encodeCursor(q, last._sortValue, last.id as string) : null,
    };
  });
}

/** One lead with its history and product recommendations; 404 when the caller may not see it. */
export function getLead(claims: Claims, id: string) {
  return asUser(claims, async (tx) => {
    const [lead] = await tx`
      select ${selectColumns(tx)}, l.score_reasons as "scoreReasons",
             l.routing, l.plant_locations as "plants", l.latitude, l.longitude, l.usage_kwh as "usageKwh",
             l.move_in_date as "moveInDate"
      from leads.leads l where l.id = ${id}::uuid`;
    if (!lead) throw notFound("No such lead.");
    const events = await tx`
      select e.id, e.type, e.from_value as "from", e.to_value as "to", e.reason_code as "reasonCode", e.note,
             e.actor_id as "actorId", e.actor_role as "actorRole", e.details, e.occurred_at as "occurredAt"
      from leads.events e where e.lead_id = ${id}::uuid order by e.occurred_at, e.id`;
    const recommendations = await tx`
      select r.rank, r.reason_code as "reasonCode", r.reason, p.id as "productId", p.code, p.name, p.category,
             p.description, p.recommendation_details as "details", p.image_url as "imageUrl"
      from leads.lead_recommendations r join leads.products p on p.id = r.product_id
      where r.lead_id = ${id}::uuid order by r.rank`;
    return { ...lead, events, recommendations };
  });
}

async function setReason(tx: Tx, reasonCode?: string, note?: string) {
  await tx`select set_config('leads.reason_code', ${reasonCode ?? ""}, true), set_config('leads.note', ${
    note ?? ""
  }, true)`;
}

/** A decision (status with reason) and/or feedback on one lead. Reopening rescoring to its band. */
export function updateLead(claims: Claims, id: string, patch: PatchInput) {
  return asUser(claims, async (tx) => {
    await tx`select private.require_any_role(array['admin', 'sales'])`;
    await setReason(tx, patch.reasonCode, patch.feedback);
    const [visible] = await tx`select l.status from leads.leads l where l.id = ${id}::uuid for update`;
    if (!visible) throw notFound("No such lead.");
    if (patch.status) {
      await tx`update leads.leads set status = ${patch.status} where id = ${id}::uuid`;
      if (patch.status === "new") await tx`select leads.score_lead(${id}::uuid)`;
    } else {
      await tx`
          insert into leads.events (lead_id, type, reason_code, note, actor_id, actor_role)
          values (${id}::uuid, 'feedback', ${patch.reasonCode ?? null}, ${patch.feedback!}, auth.uid(),
                  auth.jwt() ->> 'user_role')`;
    }
    const [lead] = await tx`
        select l.id, l.status, l.score, l.trust_score as "trustScore", l.reason_codes as "reasonCodes",
               l.office_id as "officeId", l.owner_id as "ownerId", l.updated_at as "updatedAt"
        from leads.leads l where l.id = ${id}::uuid`;
    return lead;
  });
}

/** One status change or assignment for up to 1,000 leads: every id changes, or none does. */
export function bulkUpdate(claims: Claims, bulk: BulkInput) {
  const ids = [...new Set(bulk.ids)];
  return asUser(claims, async (tx) => {
    await tx`select private.require_any_role(array['admin', 'sales'])`;
    await setReason(tx, bulk.reasonCode ?? (bulk.action === "assign" ? "bulk_assignment" : undefined));
    // Only offices the caller works for (PT403), asked before the update's policy check would refuse.
    if (bulk.action === "assign" && bulk.officeId) {
      await tx`select private.leads_require_office(${bulk.officeId}::uuid)`;
    }
    const visible = await tx`select l.id from leads.leads l where l.id = any(${ids}::uuid[]) for update`;
    if (visible.length !== ids.length) {
      const seen = new Set(visible.map((row) => row.id));
      throw new HttpError(
        404,
        "leads_not_found",
        "Some leads do not exist or are not yours to change; nothing was changed.",
        [
          { path: "ids", message: "not found", ids: ids.filter((id) => !seen.has(id)).slice(0, 50) },
        ],
      );
    }
    const changed = bulk.action === "status"
      ? await tx`update leads.leads set status = ${
        bulk.status ?? "new"
      } where id = any(${ids}::uuid[]) returning id`
      : await tx`
          update leads.leads l
          set office_id = coalesce(${bulk.officeId ?? null}::uuid, l.office_id),
              owner_id = ${bulk.ownerId === undefined ? tx`l.owner_id` : tx`${bulk.ownerId}::uuid`}
          where l.id = any(${ids}::uuid[])
            and (${bulk.ownerId ?? null}::uuid is null or exists (
              select 1 from leads.office_members m
              where m.office_id = coalesce(${bulk.officeId ?? null}::uuid, l.office_id)
                and m.user_id = ${bulk.ownerId ?? null}::uuid and m.active))
          returning l.id`;
    if (changed.length !== ids.length) {
      throw conflict(
        "invalid_assignment",
        "The owner is not an active member of the lead's office; nothing was changed.",
      );
    }
    // Reopened leads go back to the band their score earns (score_lead checks visibility itself).
    if (bulk.action === "status" && bulk.status === "new") {
      await tx`select count(leads.score_lead(id)) from unnest(${ids}::uuid[]) as reopened(id)`;
    }
    return { updated: changed.length };
  });
}

/** Streams the filtered leads as RFC 4180 CSV, 500 rows per round trip, under the caller's RLS. The
 * next batch is fetched only once the client has taken the last one, so a slow download holds one
 * batch in memory instead of the whole export. */
export function exportCsv(
  claims: Claims,
  q: ListQuery,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cancelled = false;
  let wake: (() => void) | undefined;
  const resume = () => {
    wake?.();
    wake = undefined;
  };
  const demand = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    while (!cancelled && (controller.desiredSize ?? 0) <= 0) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  async function produce(controller: ReadableStreamDefaultController<Uint8Array>) {
    try {
      controller.enqueue(encoder.encode(csvRow([...LEAD_COLUMNS])));
      await asUser(claims, async (tx) => {
        const direction = tx.unsafe(q.order === "desc" ? "desc" : "asc");
        const column = tx.unsafe(`l.${SORTS[q.sort]}`);
        // A declared cursor rather than postgres.js's portal: the portal's Executes count as one
        // statement, so asUser's statement_timeout would cap the whole download at the client's
        // pace; each FETCH is its own statement and keeps the per-query bound.
        await tx`
          declare lead_export no scroll cursor for
          select ${selectColumns(tx)} from leads.leads l
          where true ${filterSql(tx, q)}
          order by ${column} ${direction}, l.id ${direction}`;
        for (;;) {
          await demand(controller);
          if (cancelled) return;
          const rows = await tx`fetch 500 from lead_export`;
          if (rows.length > 0) {
            controller.enqueue(
              encoder.encode(rows.map((row) => csvRow(LEAD_COLUMNS.map((name) => row[name]))).join("")),
            );
          }
          if (rows.length < 500) return;
        }
      });
      if (!cancelled) controller.close();
    } catch (error) {
      onError(error);
      if (!cancelled) controller.error(error);
    }
  }

  return new ReadableStream<Uint8Array>({
    // Not awaited: the stream calls pull() only after start() settles, and pull() is what tells a
    // waiting batch that the client has room again.
    start(controller) {
      void produce(controller);
    },
    pull: resume,
    cancel() {
      cancelled = true;
      resume();
    },
  });
}
