-- Search module: one document per city, ZIP, provider, plan and plan feature, typo-tolerant ranking
-- (pg_trgm similarity, unaccent, Levenshtein for dropped/doubled/swapped letters, population as the
-- tie-breaker), prefix matching for autocomplete, exact ZIP lookups, and the query log behind the
-- popular / zero-result analytics.

create schema if not exists search;
grant usage on schema search to anon, authenticated, service_role;

-- search.find runs as its caller and uses these extension functions (the operators % and <% call
-- the *_op ones). Granted explicitly: the database's default privileges revoke execute from public,
-- and extensions (re)created after that default would otherwise be out of the API roles' reach.
grant execute on function extensions.unaccent(regdictionary, text), extensions.similarity(text, text),
  extensions.word_similarity(text, text), extensions.similarity_op(text, text),
  extensions.word_similarity_op(text, text), extensions.levenshtein_less_equal(text, text, int)
  to anon, authenticated, service_role;

-- Lower case, accents stripped, punctuation folded to single spaces: "Cañón City" → "canon city".
create or replace function search.normalize(raw text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select btrim(regexp_replace(lower(extensions.unaccent('extensions.unaccent'::regdictionary, coalesce(raw, ''))),
                              '[^a-z0-9]+', ' ', 'g'))
$$;
grant execute on function search.normalize(text) to anon, authenticated, service_role;

create table search.documents (
  id bigint generated always as identity primary key,
  doc_type text not null check (doc_type in ('city', 'zip', 'provider', 'plan', 'feature')),
  ref_id text not null,
  label text not null,
  subtitle text,
  normalized text not null,
  -- Lets the typo branch (Levenshtein) look only at names of about the typed length.
  normalized_length int generated always as (char_length(normalized)) stored,
  -- The label plus synonyms ("green energy" also answers "renewable", "wind", "solar").
  keywords text not null,
  -- Larger is more prominent (population for places); ranks equally good matches.
  popularity double precision not null default 0,
  payload jsonb not null default '{}'::jsonb,
  refreshed_at timestamptz not null default now(),
  unique (doc_type, ref_id)
);
-- fastupdate off: documents change a few times a day, and a GIN pending list full of fresh rows
-- makes every trigram lookup scan it (10x slower) until autovacuum merges it.
create index documents_normalized_trgm_idx on search.documents using gin (normalized extensions.gin_trgm_ops)
  with (fastupdate = off);
create index documents_keywords_trgm_idx on search.documents using gin (keywords extensions.gin_trgm_ops)
  with (fastupdate = off);
create index documents_prefix_idx on search.documents (normalized text_pattern_ops);
create index documents_type_idx on search.documents (doc_type);
create index documents_typo_length_idx on search.documents (normalized_length)
  where doc_type in ('city', 'provider', 'feature');

create table search.queries (
  id bigint generated always as identity primary key,
  session_id uuid,
  user_id uuid,
  query text not null check (char_length(query) <= 200),
  normalized text not null,
  kind text not null default 'search' check (kind in ('search', 'autocomplete')),
  types text[],
  result_count integer not null check (result_count >= 0),
  created_at timestamptz not null default now()
);
create index queries_created_idx on search.queries (created_at desc);
create index queries_normalized_idx on search.queries (normalized, created_at desc);
create index queries_zero_idx on search.queries (created_at desc) where result_count = 0;
create index queries_session_idx on search.queries (session_id) where session_id is not null;

alter table search.documents enable row level security;
alter table search.queries enable row level security;
grant select on search.documents to anon, authenticated;
grant select, insert, update, delete on search.documents to authenticated, service_role;
grant select on search.queries to authenticated;
grant select, insert, delete on search.queries to service_role;

create policy "everyone reads search documents" on search.documents for select to anon, authenticated using (true);
create policy "admins write search documents" on search.documents for all to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "analysts and admins read queries" on search.queries for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst'])));


-- Documents --------------------------------------------------------------------------------------------
create or replace function private.refresh_search_documents() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  touched bigint;
  removed bigint;
begin
  -- A second call in the same transaction replaces the first one's working table.
  drop table if exists pg_temp.fresh;
  create temporary table fresh on commit drop as
  select 'city'::text as doc_type, c.id::text as ref_id, c.name as label,
         format('%s County%s', c.county, case when c.deregulated then ', ' || t.short_name
                                         else ' · not open to retail choice' end) as subtitle,
         c.name as keywords, c.population::double precision as popularity,
         jsonb_build_object('cityId', c.id, 'slug', c.slug, 'county', c.county, 'tdsp', t.code, 'tdspName', t.name,
                            'deregulated', c.deregulated, 'marketStatus', c.market_status, 'utility', c.utility_name,
                            'population', c.population) as payload
  from energy.cities c left join energy.tdsps t on t.id = c.tdsp_id
  union all
  select 'zip', z.zip, z.zip, format('%s, %s County', c.name, z.county), z.zip, c.population::double precision / 10,
         jsonb_build_object('zip', z.zip, 'cityId', c.id, 'city', c.name, 'county', z.county, 'deregulated', z.deregulated,
                            'tdsps', coalesce((select jsonb_agg(t.code order by zt.is_primary desc, t.id)
                                               from energy.zip_tdsps zt join energy.tdsps t on t.id = zt.tdsp_id
                                               where zt.zip = z.zip), '[]'::jsonb))
  from energy.zips z join energy.cities c on c.id = z.city_id
  union all
  select 'provider', pr.id::text, pr.name, format('%s plans', count(p.id)), pr.name, 100000.0 * count(p.id),
         jsonb_build_object('providerId', pr.id, 'slug', pr.slug, 'planCount', count(p.id), 'website', pr.website)
  from energy.providers pr left join energy.plans p on p.provider_id = pr.id and p.active and p.language = 'English'
  where pr.active
  group by pr.id
  union all
  select 'plan', p.id::text, p.name, format('%s · %s', pr.name, t.short_name),
         p.name || ' ' || array_to_string(array(select replace(f, '_', ' ') from unnest(p.features) f), ' '), 0,
         jsonb_build_object('planId', p.id, 'provider', pr.name, 'tdsp', t.code, 'features', to_jsonb(p.features),
                            'termMonths', p.term_months, 'renewablePct', p.renewable_pct, 'price1000', p.price_1000)
  from energy.plans p join energy.providers pr on pr.id = p.provider_id join energy.tdsps t on t.id = p.tdsp_id
  where p.active and p.language = 'English'
  union all
  select 'feature', f.code, f.label, f.subtitle, f.label || ' ' || f.synonyms, 1000000,
         jsonb_build_object('feature', f.code, 'filters', f.filters,
                            'planCount', (select count(*) from energy.plans p
                                          where p.active and p.language = 'English' and f.code = any (p.features)))
  from (values
    ('green_energy', 'Green energy', '100% renewable plans', 'renewable clean wind solar eco 100%', '{"renewableMin": 100}'::jsonb),
    ('fixed_rate', 'Fixed rate', 'Price locked for the whole term', 'fixed price locked stable', '{"fixed": true}'),
    ('variable_rate', 'Variable rate', 'Month-to-month price', 'variable month to month flexible no contract', '{"fixed": false}'),
    ('no_deposit', 'No deposit', 'Start service without a deposit', 'no deposit no credit check', '{}'),
    ('prepaid', 'Prepaid', 'Pay as you go', 'prepaid pay as you go', '{"prepaid": true}'),
    ('free_nights', 'Free nights', 'Free or cheap electricity at night', 'free nights night time of use', '{}'),
    ('time_of_use', 'Time of use', 'Prices that change by hour', 'time of use peak off peak', '{}'),
    ('bill_credit', 'Bill credit', 'Credits when usage reaches a threshold', 'bill credit usage credit', '{}'),
    ('no_cancel_fee', 'No cancellation fee', 'Leave any time without a fee', 'no cancel fee no early termination', '{"noCancelFee": true}'),
    ('long_term', 'Long term', 'Contracts of 24 months or more', 'long term 24 36 months', '{}')
  ) as f(code, label, subtitle, synonyms, filters);

  with upserted as (
    insert into search.documents as d (doc_type, ref_id, label, subtitle, normalized, keywords, popularity, payload, refreshed_at)
    select f.doc_type, f.ref_id, f.label, f.subtitle, search.normalize(f.label),
           search.normalize(f.keywords), f.popularity, f.payload, now()
    from fresh f
    on conflict (doc_type, ref_id) do update set label = excluded.label, subtitle = excluded.subtitle,
      normalized = excluded.normalized, keywords = excluded.keywords, popularity = excluded.popularity,
      payload = excluded.payload, refreshed_at = excluded.refreshed_at
    where (d.label, d.subtitle, d.keywords, d.popularity, d.payload)
          is distinct from (excluded.label, excluded.subtitle, excluded.keywords, excluded.popularity, excluded.payload)
    returning 1
  )
  select count(*) into touched from upserted;

  with stale as (
    delete from search.documents d
    where not exists (select 1 from fresh f where f.doc_type = d.doc_type and f.ref_id = d.ref_id)
    returning 1
  )
  select count(*) into removed from stale;
  return touched + removed;
end;
$$;
grant execute on function private.refresh_search_documents() to service_role;

-- Ranking ---------------------------------------------------------------------------------------------
/*
  Finds documents for q. mode 'autocomplete': prefix matching first (ZIP prefixes from 3 digits);
  mode 'search': exact ZIPs. Both tolerate typos: trigram similarity on the label and its
  keywords, and Levenshtein distance against the whole label and against its prefix of the typed
  length (so "hustn" finds Houston). The score is 85% text match and 15% popularity, so among
  equally close names the bigger city wins. Read-only: the search function logs every query (with
  its result count) into search.queries in batches.
*/
create or replace function search.find(
  q text, types text[] default null, max_results int default 10, mode text default 'search'
) returns table (doc_type text, ref_id text, label text, subtitle text, payload jsonb, score real)
language plpgsql stable set search_path = '' as $$
declare
  nq text := search.normalize(q);
  n int := char_length(search.normalize(q));
  allowed int := case when char_length(search.normalize(q)) <= 3 then 1
                      when char_length(search.normalize(q)) <= 5 then 2 else 3 end;
begin
  if q is null or char_length(q) > 200 then
    raise exception using errcode = 'PT422', hint = 'invalid_query', message = 'q must be at most 200 characters.';
  end if;
  if mode not in ('search', 'autocomplete') or max_results not between 1 and 50 then
    raise exception using errcode = 'PT422', hint = 'invalid_arguments', message = 'mode or max_results is out of range.';
  end if;

  if nq ~ '^\d+$' then
    return query
    select d.doc_type, d.ref_id, d.label, d.subtitle, d.payload, 1::real
    from search.documents d
    where d.doc_type = 'zip' and (types is null or 'zip' = any (types))
      and case when mode = 'search' or n = 5 then d.normalized = nq else n >= 3 and d.normalized like nq || '%' end
    order by d.normalized
    limit max_results;
  elsif n >= 2 then
    return query
    with candidates as (
      -- Each branch can use an index (btree prefix, trigram GIN) or is bounded by a cheap length
      -- test, so the costly similarity functions only run on the few rows that survive.
      select d.id from search.documents d where d.normalized like nq || '%'
      union
      select d.id from search.documents d where n >= 3 and d.keywords like '%' || nq || '%'
      union
      select d.id from search.documents d where d.normalized operator(extensions.%) nq
      union
      select d.id from search.documents d where nq operator(extensions.<%) d.keywords
      union
      select d.id from search.documents d
      where d.doc_type in ('city', 'provider', 'feature')
        and d.normalized_length between n - allowed and n + allowed
        and extensions.levenshtein_less_equal(nq, d.normalized, allowed) <= allowed
      union
      select d.id from search.documents d
      where mode = 'autocomplete' and n >= 4 and d.doc_type in ('city', 'provider', 'feature')
        and d.normalized_length > n
        and extensions.levenshtein_less_equal(nq, left(d.normalized, n), allowed - 1) <= allowed - 1
    ), scored as materialized (
      -- Materialized so the planner cannot push the score filter below into a scan of every
      -- document: the similarity functions must run on the few candidates only (15 ms -> 3 ms).
      select d.*,
             case
               when d.normalized like nq || '%' then 1.0
               when d.keywords like nq || '%' or d.keywords like '% ' || nq || '%' then 0.95
               else greatest(
                 extensions.similarity(d.normalized, nq),
                 extensions.word_similarity(nq, d.keywords) * 0.9,
                 1.0 - extensions.levenshtein_less_equal(nq, d.normalized, allowed + 1)::real
                         / greatest(n, char_length(d.normalized)),
                 case when mode = 'autocomplete' and n >= 4
                   then 0.9 * (1.0 - extensions.levenshtein_less_equal(nq, left(d.normalized, n), allowed)::real / n)
                   else 0 end)
             end as textual
      from candidates c join search.documents d on d.id = c.id
      where d.doc_type <> 'zip' and (types is null or d.doc_type = any (types))
    )
    select s.doc_type, s.ref_id, s.label, s.subtitle, s.payload,
           (0.85 * s.textual + 0.15 * least(1.0, ln(1 + s.popularity) / ln(1 + 3000000.0)))::real as score
    from scored s
    where s.textual >= 0.45
    order by 6 desc, s.popularity desc, s.label
    limit max_results;
  end if;
end;
$$;
grant execute on function search.find(text, text[], int, text) to anon, authenticated, service_role;

-- Popular and zero-result queries over the last `days` days; RLS limits the rows to analysts/admins.
create or replace function search.query_analytics(days int default 30, max_rows int default 20) returns jsonb
language sql stable set search_path = '' as $$
  with recent as (
    select q.normalized, q.query, q.result_count, q.created_at
    from search.queries q
    where q.created_at > now() - make_interval(days => greatest(1, least(days, 365))) and q.normalized <> ''
  )
  select jsonb_build_object(
    'days', greatest(1, least(days, 365)),
    'totalQueries', (select count(*) from recent),
    'zeroResultShare', (select round(avg(case when result_count = 0 then 1.0 else 0.0 end), 4) from recent),
    'popular', coalesce((select jsonb_agg(to_jsonb(p) order by p.searches desc, p.query) from (
        select r.normalized as query, count(*)::int as searches, round(avg(r.result_count), 1) as "averageResults",
               max(r.created_at) as "lastSearchedAt"
        from recent r group by r.normalized order by count(*) desc, r.normalized limit max_rows) p), '[]'::jsonb),
    'zeroResults', coalesce((select jsonb_agg(to_jsonb(z) order by z.searches desc, z.query) from (
        select r.normalized as query, count(*)::int as searches, max(r.created_at) as "lastSearchedAt"
        from recent r where r.result_count = 0 group by r.normalized
        order by count(*) desc, r.normalized limit max_rows) z), '[]'::jsonb))
$$;
grant execute on function search.query_analytics(int, int) to authenticated, service_role;

-- Published contracts ---------------------------------------------------------------------------------
-- What other modules may read of search's data (docs/api/search.md, tests/db/search/90-contracts).

-- Searches per tracking session: one row per distinct session id given (0 when it searched nothing).
create or replace function search.session_searches(session_ids uuid[])
returns table (session_id uuid, searches int)
language sql stable set search_path = '' as $$
  select s.id, (select count(*)::int from search.queries q where q.session_id = s.id)
  from (select distinct u.id from unnest(session_searches.session_ids) as u(id) where u.id is not null) s
$$;
comment on function search.session_searches(uuid[]) is
  'Published contract: the number of searches logged per tracking session.';

revoke execute on function search.session_searches(uuid[]) from public, anon, authenticated;
grant execute on function search.session_searches(uuid[]) to service_role;
