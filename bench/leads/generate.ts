// 100,000 generated leads for the dashboard benchmark, in a date range of their own (2020) so the
// dashboards measure exactly this set. Set-based: one INSERT ... SELECT from generate_series.
import type postgres from "postgres";

export const BENCH_FROM = "2020-01-01T00:00:00Z";
export const BENCH_TO = "2021-01-01T00:00:00Z";
const DOMAIN = "bench-leads.local";

/** Ensures `count` generated leads exist; returns how many were inserted now. */
export async function ensureBenchLeads(sql: postgres.Sql, count: number): Promise<number> {
  const [{ existing }] = await sql`
    select count(*)::int as existing from leads.leads
    where created_at >= ${BENCH_FROM}::timestamptz and created_at < ${BENCH_TO}::timestamptz`;
  if (existing >= count) return 0;
  const missing = count - existing;
  await sql`
    insert into leads.leads (kind, email, consent, company_name, industry, company_size, score, trust_score, status,
                             office_id, source_id, created_at, score_reasons)
    select case when n % 3 = 0 then 'consumer' else 'business' end,
           'bench-' || (${existing}::int + n) || '@' || ${DOMAIN}::text,
           true,
           'Bench Company ' || n,
           (array['manufacturing', 'chemicals', 'retail', 'data_centers', 'food_processing', 'plastics', 'oil_and_gas',
                  'hospitality'])[1 + n % 8],
           (n * 7919) % 2000,
           s.score, t.trust,
           case when n % 25 = 0 then 'converted' when n % 11 = 0 then 'accepted' when n % 17 = 0 then 'rejected'
                else case when s.score >= 70 then 'hot' when s.score >= 40 then 'warm' else 'cold' end end,
           offices.ids[1 + n % cardinality(offices.ids)],
           sources.ids[1 + n % cardinality(sources.ids)],
           ${BENCH_FROM}::timestamptz + ((n * 104729) % 31536000) * interval '1 second',
           '[]'::jsonb
    from generate_series(1::bigint, ${missing}::bigint) n
    cross join lateral (select ((n * 2654435761) % 101)::int as score) s
    cross join lateral (select ((n * 40503) % 101)::int as trust) t
    cross join (select array_agg(id order by name) as ids from leads.regional_offices where active) offices
    cross join (select array_agg(id order by name) as ids from leads.sources) sources`;
  // Fold the rollup deltas now rather than waiting for the minute job.
  await sql`select private.leads_compact_rollup()`;
  await sql`analyze leads.leads`;
  return missing;
}
