-- Dashboard RPCs for analysts, sales and admins (seed 001's dashboard), each for a date range on
-- created_at, under the caller's RLS (sales see their offices' numbers). Callable through the Data
-- API: supabase.schema('leads').rpc('dashboard_summary', { window_from, window_to }). Windows are
-- [window_from, window_to), checked by private.require_window like every module's.
--
-- Why a rollup: scanning 100,000 leads costs more than the 50 ms budget on a small machine. Every
-- change to leads appends signed deltas per (month, office, dimension, key) from statement-level
-- triggers (append-only, so concurrent captures never wait on each other); a pg_cron job folds them
-- into leads.rollup_monthly every minute. A dashboard reads whole months from rollup + pending deltas
-- and only the partial months at the edges of its range from leads.leads itself, so it is exact.


-- Rollup ---------------------------------------------------------------------------------------------
create table leads.rollup_monthly (
  -- A surrogate key: the natural key (rollup_monthly_key) holds a nullable office_id.
  id bigint generated always as identity primary key,
  month date not null,
  office_id uuid,
  dimension text not null check (dimension in ('all', 'status', 'industry', 'score_bucket', 'source', 'matrix')),
  key text not null,
  leads bigint not null default 0,
  score_sum bigint not null default 0,
  trust_sum bigint not null default 0,
  hot_reached bigint not null default 0,
  accepted_reached bigint not null default 0,
  converted_reached bigint not null default 0,
  constraint rollup_monthly_key unique nulls not distinct (month, office_id, dimension, key)
);
create index rollup_monthly_month_idx on leads.rollup_monthly (month, dimension);

create table leads.rollup_deltas (
  id bigint generated always as identity primary key,
  month date not null,
  office_id uuid,
  dimension text not null,
  key text not null,
  leads bigint not null,
  score_sum bigint not null,
  trust_sum bigint not null,
  hot_reached bigint not null,
  accepted_reached bigint not null,
  converted_reached bigint not null
);
create index rollup_deltas_month_idx on leads.rollup_deltas (month);

alter table leads.rollup_monthly enable row level security;
alter table leads.rollup_deltas enable row level security;
create policy "admins and analysts read the lead rollup, sales their offices'" on leads.rollup_monthly
  for select to authenticated
  using (
    (select private.has_any_role(array['admin', 'analyst']))
    or ((select private.has_role('sales')) and office_id = any ((select private.leads_my_office_ids())::uuid[]))
  );
create policy "admins and analysts read pending rollup deltas, sales their offices'" on leads.rollup_deltas
  for select to authenticated
  using (
    (select private.has_any_role(array['admin', 'analyst']))
    or ((select private.has_role('sales')) and office_id = any ((select private.leads_my_office_ids())::uuid[]))
  );
grant select on leads.rollup_monthly, leads.rollup_deltas to authenticated;
grant all on leads.rollup_monthly, leads.rollup_deltas to service_role;

-- The (dimension, key) pairs one lead counts under: all, status, industry, score bucket, source and
-- the score x trust matrix. Kept as a lateral VALUES list in each query below rather than a function:
-- a SQL function is inlined only without a SET clause, and every function here pins search_path.
-- The signed rollup deltas of new and old row versions, grouped per (month, office, dimension, key).
create or replace function private.leads_rollup_facts(new_versions leads.leads[], old_versions leads.leads[])
returns table (month date, office_id uuid, dimension text, key text, leads bigint, score_sum bigint,
               trust_sum bigint, hot_reached bigint, accepted_reached bigint, converted_reached bigint)
language plpgsql stable set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
begin
  return query
  with versions as (
    select 1 as sign, v.* from unnest(new_versions) v
    union all
    select -1, v.* from unnest(old_versions) v
  ), signed as (
    select r.sign, r.created_at, r.office_id, r.score, r.trust_score, r.status, r.industry, r.source_id,
           (r.hot_at is not null)::int as hot, (r.accepted_at is not null)::int as accepted,
           (r.converted_at is not null)::int as converted,
           case when r.score <= 20 then '0-20' when r.score <= 40 then '21-40' when r.score <= 60 then '41-60'
                when r.score <= 80 then '61-80' else '81-100' end as score_bucket,
           case when r.trust_score <= 20 then '0-20' when r.trust_score <= 40 then '21-40'
                when r.trust_score <= 60 then '41-60' when r.trust_score <= 80 then '61-80' else '81-100' end
             as trust_bucket
    from versions r
  )
  select date_trunc('month', r.created_at, 'UTC')::date, r.office_id, k.dimension, k.key, sum(r.sign)::bigint,
         sum(r.sign * r.score)::bigint, sum(r.sign * r.trust_score)::bigint, sum(r.sign * r.hot)::bigint,
         sum(r.sign * r.accepted)::bigint, sum(r.sign * r.converted)::bigint
  from signed r
  cross join lateral (values
    ('all', ''), ('status', r.status), ('industry', coalesce(r.industry, 'unknown')),
    ('score_bucket', r.score_bucket), ('source', coalesce(r.source_id::text, '')),
    ('matrix', r.score_bucket || '|' || r.trust_bucket)
  ) as k(dimension, key)
  group by 1, 2, 3, 4
  having sum(r.sign) <> 0 or sum(r.sign * r.score) <> 0 or sum(r.sign * r.trust_score) <> 0
      or sum(r.sign * r.hot) <> 0 or sum(r.sign * r.accepted) <> 0 or sum(r.sign * r.converted) <> 0;
end;
$$;

-- Appends the signed facts of a statement's changed rows: +1 for new versions, -1 for old ones.
-- Changes that leave every counted fact as it was (e.g. last_activity_at) cancel out and add nothing.
-- Static SQL per event (transition tables exist only for the trigger's own event; PL/pgSQL plans a
-- branch only when it runs), so the statement is planned once per connection, not per capture.
create or replace function private.leads_rollup_changes() returns trigger
language plpgsql security definer set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
begin
  if tg_op = 'INSERT' then
    insert into leads.rollup_deltas (month, office_id, dimension, key, leads, score_sum, trust_sum, hot_reached,
                                     accepted_reached, converted_reached)
    select * from private.leads_rollup_facts(array(select row(n.*)::leads.leads from new_rows n), array[]::leads.leads[]);
  elsif tg_op = 'DELETE' then
    insert into leads.rollup_deltas (month, office_id, dimension, key, leads, score_sum, trust_sum, hot_reached,
                                     accepted_reached, converted_reached)
    select * from private.leads_rollup_facts(array[]::leads.leads[], array(select row(o.*)::leads.leads from old_rows o));
  else
    insert into leads.rollup_deltas (month, office_id, dimension, key, leads, score_sum, trust_sum, hot_reached,
                                     accepted_reached, converted_reached)
    select * from private.leads_rollup_facts(array(select row(n.*)::leads.leads from new_rows n), array(select row(o.*)::leads.leads from old_rows o));
  end if;
  return null;
end;
$$;

create trigger leads_rollup_inserts after insert on leads.leads
  referencing new table as new_rows for each statement execute function private.leads_rollup_changes();
create trigger leads_rollup_updates after update on leads.leads
  referencing old table as old_rows new table as new_rows for each statement execute function private.leads_rollup_changes();
create trigger leads_rollup_deletes after delete on leads.leads
  referencing old table as old_rows for each statement execute function private.leads_rollup_changes();

-- Folds pending deltas into the monthly rollup (sorted, so concurrent folds lock rows in one order).
create or replace function private.leads_compact_rollup() returns bigint
language sql volatile set search_path = '' as $$
  with moved as (
    delete from leads.rollup_deltas returning *
  ), folded as (
    insert into leads.rollup_monthly as r (month, office_id, dimension, key, leads, score_sum, trust_sum, hot_reached,
                                           accepted_reached, converted_reached)
    select m.month, m.office_id, m.dimension, m.key, sum(m.leads), sum(m.score_sum), sum(m.trust_sum),
           sum(m.hot_reached), sum(m.accepted_reached), sum(m.converted_reached)
    from moved m
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict on constraint rollup_monthly_key do update
    set leads = r.leads + excluded.leads, score_sum = r.score_sum + excluded.score_sum,
        trust_sum = r.trust_sum + excluded.trust_sum, hot_reached = r.hot_reached + excluded.hot_reached,
        accepted_reached = r.accepted_reached + excluded.accepted_reached,
        converted_reached = r.converted_reached + excluded.converted_reached
    returning 1
  )
  select count(*) from folded
$$;

select cron.schedule('leads-compact-rollup', '* * * * *',
  $$select private.run_job('leads-compact-rollup', 'select private.leads_compact_rollup()')$$);

-- The facts (of the given dimensions) of a date range visible to the caller: whole months from the rollup (+ pending deltas),
-- partial months at either edge straight from leads.leads. Invoker: RLS applies to all three.
create or replace function private.leads_range_facts(window_from timestamptz, window_to timestamptz, dims text[])
returns table (office_id uuid, dimension text, key text, leads bigint, score_sum bigint, trust_sum bigint,
               hot_reached bigint, accepted_reached bigint, converted_reached bigint)
language sql stable set search_path = '' as $$
  with bounds as (
    select case when window_from = date_trunc('month', window_from, 'UTC') then window_from
                else date_trunc('month', window_from, 'UTC') + interval '1 month' end as full_from,
           date_trunc('month', window_to, 'UTC') as full_to
  ), span as (
    select case when b.full_to > b.full_from then b.full_from else window_to end as full_from,
           case when b.full_to > b.full_from then b.full_to else window_to end as full_to
    from bounds b
  ), stored as (
    select r.office_id, r.dimension, r.key, r.leads, r.score_sum, r.trust_sum, r.hot_reached, r.accepted_reached,
           r.converted_reached
    from leads.rollup_monthly r, span s
    where r.month >= (s.full_from at time zone 'UTC')::date and r.month < (s.full_to at time zone 'UTC')::date
      and r.dimension = any (dims)
    union all
    select d.office_id, d.dimension, d.key, d.leads, d.score_sum, d.trust_sum, d.hot_reached, d.accepted_reached,
           d.converted_reached
    from leads.rollup_deltas d, span s
    where d.month >= (s.full_from at time zone 'UTC')::date and d.month < (s.full_to at time zone 'UTC')::date
      and d.dimension = any (dims)
  ), edges as (
    select l.office_id, k.dimension, k.key, count(*)::bigint as leads, sum(l.score)::bigint as score_sum,
           sum(l.trust_score)::bigint as trust_sum, count(l.hot_at)::bigint as hot_reached,
           count(l.accepted_at)::bigint as accepted_reached, count(l.converted_at)::bigint as converted_reached
    from leads.leads l
    cross join span s
    cross join lateral (select
      case when l.score <= 20 then '0-20' when l.score <= 40 then '21-40' when l.score <= 60 then '41-60'
           when l.score <= 80 then '61-80' else '81-100' end as score_bucket,
      case when l.trust_score <= 20 then '0-20' when l.trust_score <= 40 then '21-40'
           when l.trust_score <= 60 then '41-60' when l.trust_score <= 80 then '61-80' else '81-100' end
        as trust_bucket) b
    cross join lateral (values
      ('all', ''), ('status', l.status), ('industry', coalesce(l.industry, 'unknown')),
      ('score_bucket', b.score_bucket), ('source', coalesce(l.source_id::text, '')),
      ('matrix', b.score_bucket || '|' || b.trust_bucket)
    ) as k(dimension, key)
    where l.created_at >= window_from and l.created_at < window_to
      and (l.created_at < s.full_from or l.created_at >= s.full_to)
      and k.dimension = any (dims)
    group by 1, 2, 3
  )
  select x.office_id, x.dimension, x.key, sum(x.leads)::bigint, sum(x.score_sum)::bigint, sum(x.trust_sum)::bigint,
         sum(x.hot_reached)::bigint, sum(x.accepted_reached)::bigint, sum(x.converted_reached)::bigint
  from (select * from stored union all select * from edges) x
  group by 1, 2, 3
$$;
grant execute on function private.leads_range_facts(timestamptz, timestamptz, text[])
  to authenticated, service_role;

-- Dashboards -------------------------------------------------------------------------------------------

-- Totals, hot count, conversion rate and average scores.
create or replace function leads.dashboard_summary(window_from timestamptz, window_to timestamptz) returns jsonb
language plpgsql stable security invoker set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst', 'sales']);
  perform private.require_window(window_from, window_to);
  with facts as (select * from private.leads_range_facts(window_from, window_to, array['all', 'status']))
  select jsonb_build_object(
    'from', window_from, 'to', window_to,
    'total', coalesce(sum(f.leads) filter (where f.dimension = 'all'), 0),
    'hot', coalesce(sum(f.leads) filter (where f.dimension = 'status' and f.key = 'hot'), 0),
    'accepted', coalesce(sum(f.accepted_reached) filter (where f.dimension = 'all'), 0),
    'converted', coalesce(sum(f.converted_reached) filter (where f.dimension = 'all'), 0),
    'conversionRate', round(coalesce(sum(f.converted_reached) filter (where f.dimension = 'all')::numeric
                                     / nullif(sum(f.leads) filter (where f.dimension = 'all'), 0), 0), 4),
    'averageScore', round(coalesce(sum(f.score_sum) filter (where f.dimension = 'all')::numeric
                                   / nullif(sum(f.leads) filter (where f.dimension = 'all'), 0), 0), 1),
    'averageTrustScore', round(coalesce(sum(f.trust_sum) filter (where f.dimension = 'all')::numeric
                                        / nullif(sum(f.leads) filter (where f.dimension = 'all'), 0), 0), 1))
    into result
  from facts f;
  return result;
end;
$$;

-- Distribution by status, industry, score bucket, region (office) and source.
create or replace function leads.dashboard_distribution(window_from timestamptz, window_to timestamptz) returns jsonb
language plpgsql stable security invoker set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst', 'sales']);
  perform private.require_window(window_from, window_to);
  with facts as (
    select * from private.leads_range_facts(window_from, window_to, array['all', 'status', 'industry', 'score_bucket', 'source'])
  ), by_key as (
    select f.dimension, f.key, sum(f.leads) as n from facts f
    where f.dimension in ('status', 'industry', 'score_bucket', 'source') group by 1, 2 having sum(f.leads) > 0
  ), by_office as (
    select f.office_id, sum(f.leads) as n from facts f where f.dimension = 'all' group by 1 having sum(f.leads) > 0
  )
  select jsonb_build_object(
    'byStatus', (select coalesce(jsonb_agg(jsonb_build_object('key', k.key, 'count', k.n) order by k.n desc, k.key), '[]')
                 from by_key k where k.dimension = 'status'),
    'byIndustry', (select coalesce(jsonb_agg(jsonb_build_object('key', k.key, 'count', k.n) order by k.n desc, k.key), '[]')
                   from by_key k where k.dimension = 'industry'),
    'byScoreBucket', (select coalesce(jsonb_agg(jsonb_build_object('key', k.key, 'count', k.n) order by k.key), '[]')
                      from by_key k where k.dimension = 'score_bucket'),
    'byRegion', (select coalesce(jsonb_agg(jsonb_build_object('key', coalesce(o.region, 'unassigned'), 'office', o.name,
                                                             'officeId', b.office_id, 'count', b.n) order by b.n desc), '[]')
                 from by_office b left join leads.regional_offices o on o.id = b.office_id),
    'bySource', (select coalesce(jsonb_agg(jsonb_build_object('key', coalesce(s.name, 'unknown'), 'sourceId', s.id,
                                                             'count', k.n) order by k.n desc), '[]')
                 from by_key k left join leads.sources s on s.id::text = k.key where k.dimension = 'source'))
    into result;
  return result;
end;
$$;

-- The lead quality matrix: score bucket x trust bucket counts.
create or replace function leads.dashboard_quality_matrix(window_from timestamptz, window_to timestamptz) returns jsonb
language plpgsql stable security invoker set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst', 'sales']);
  perform private.require_window(window_from, window_to);
  select coalesce(jsonb_agg(jsonb_build_object('scoreBucket', split_part(m.key, '|', 1),
                                               'trustBucket', split_part(m.key, '|', 2), 'count', m.n)
                            order by m.key), '[]')
    into result
  from (
    select f.key, sum(f.leads) as n from private.leads_range_facts(window_from, window_to, array['matrix']) f
    where f.dimension = 'matrix' group by 1 having sum(f.leads) > 0
  ) m;
  return result;
end;
$$;

-- The funnel discovered -> hot -> accepted -> converted (milestones reached, whatever the status now).
create or replace function leads.dashboard_funnel(window_from timestamptz, window_to timestamptz) returns jsonb
language plpgsql stable security invoker set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst', 'sales']);
  perform private.require_window(window_from, window_to);
  select jsonb_build_array(
    jsonb_build_object('stage', 'discovered', 'count', coalesce(sum(f.leads), 0)),
    jsonb_build_object('stage', 'hot', 'count', coalesce(sum(f.hot_reached), 0)),
    jsonb_build_object('stage', 'accepted', 'count', coalesce(sum(f.accepted_reached), 0)),
    jsonb_build_object('stage', 'converted', 'count', coalesce(sum(f.converted_reached), 0)))
    into result
  from private.leads_range_facts(window_from, window_to, array['all']) f
  where f.dimension = 'all';
  return result;
end;
$$;

-- Top opportunities: the highest scoring open or accepted leads of the range (converted ones are won).
create or replace function leads.dashboard_top_opportunities(window_from timestamptz, window_to timestamptz, max_rows int default 10)
returns jsonb
language plpgsql stable security invoker set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst', 'sales']);
  perform private.require_window(window_from, window_to);
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', t.id, 'kind', t.kind, 'companyName', t.company_name, 'firstName', t.first_name,
           'lastName', t.last_name, 'industry', t.industry, 'score', t.score, 'trustScore', t.trust_score,
           'status', t.status, 'officeId', t.office_id, 'createdAt', t.created_at)
         order by t.score desc, t.trust_score desc, t.id), '[]')
    into result
  from (
    select l.* from leads.leads l
    where l.created_at >= window_from and l.created_at < window_to and l.status in ('new', 'hot', 'warm', 'accepted')
    order by l.score desc, l.trust_score desc, l.id
    limit least(greatest(max_rows, 1), 100)
  ) t;
  return result;
end;
$$;

grant execute on function leads.dashboard_summary(timestamptz, timestamptz),
  leads.dashboard_distribution(timestamptz, timestamptz), leads.dashboard_quality_matrix(timestamptz, timestamptz),
  leads.dashboard_funnel(timestamptz, timestamptz), leads.dashboard_top_opportunities(timestamptz, timestamptz, int)
  to authenticated, service_role;

-- Comments: what each table, column and RPC holds (Studio shows them; tests/db/foundation/08-comments).

comment on table leads.rollup_monthly is 'Monthly lead dashboard facts per office, dimension and key, folded from leads.rollup_deltas every minute.';
comment on column leads.rollup_monthly.id is 'Row id (the natural key is month, office, dimension, key).';
comment on column leads.rollup_monthly.month is 'First day of the UTC month the leads were created in.';
comment on column leads.rollup_monthly.office_id is 'Office the leads are routed to (null: unassigned).';
comment on column leads.rollup_monthly.dimension is 'all, status, industry, score_bucket, source or matrix.';
comment on column leads.rollup_monthly.key is 'Value of the dimension (e.g. hot, manufacturing, 61-80, 41-60|81-100).';
comment on column leads.rollup_monthly.leads is 'Number of leads.';
comment on column leads.rollup_monthly.score_sum is 'Sum of their scores.';
comment on column leads.rollup_monthly.trust_sum is 'Sum of their trust scores.';
comment on column leads.rollup_monthly.hot_reached is 'Leads that were ever hot.';
comment on column leads.rollup_monthly.accepted_reached is 'Leads that were ever accepted.';
comment on column leads.rollup_monthly.converted_reached is 'Leads that converted.';
comment on table leads.rollup_deltas is 'Signed lead dashboard deltas appended by the leads triggers, waiting to be folded into leads.rollup_monthly.';
comment on column leads.rollup_deltas.month is 'First day of the UTC month the leads were created in.';
comment on column leads.rollup_deltas.office_id is 'Office the leads are routed to (null: unassigned).';
comment on column leads.rollup_deltas.dimension is 'all, status, industry, score_bucket, source or matrix.';
comment on column leads.rollup_deltas.key is 'Value of the dimension (e.g. hot, manufacturing, 61-80, 41-60|81-100).';
comment on column leads.rollup_deltas.leads is 'Number of leads.';
comment on column leads.rollup_deltas.score_sum is 'Sum of their scores.';
comment on column leads.rollup_deltas.trust_sum is 'Sum of their trust scores.';
comment on column leads.rollup_deltas.hot_reached is 'Leads that were ever hot.';
comment on column leads.rollup_deltas.accepted_reached is 'Leads that were ever accepted.';
comment on column leads.rollup_deltas.converted_reached is 'Leads that converted.';
comment on column leads.rollup_deltas.id is 'Delta id, in order of appending.';
comment on function leads.dashboard_summary(timestamptz, timestamptz) is 'Staff: totals, hot, accepted, converted, conversion rate and average scores of leads created in [window_from, window_to).';
comment on function leads.dashboard_distribution(timestamptz, timestamptz) is 'Staff: leads of the window by status, industry, score bucket, region and source.';
comment on function leads.dashboard_quality_matrix(timestamptz, timestamptz) is 'Staff: score bucket x trust bucket counts of the window.';
comment on function leads.dashboard_funnel(timestamptz, timestamptz) is 'Staff: discovered, hot, accepted and converted counts of the window.';
comment on function leads.dashboard_top_opportunities(timestamptz, timestamptz, int) is 'Staff: the highest-scoring open or accepted leads of the window (at most 100).';
