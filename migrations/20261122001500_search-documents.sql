-- Search module, part 1: one document per city, ZIP, provider, plan and plan feature, the plan
-- features (reference data), and the query log behind the popular / zero-result analytics. Documents
-- are built from energy's published contract (energy.catalog_entries, energy.feature_plan_counts),
-- never from energy's tables. Ranking is 20261122001600_search-ranking.sql.

create schema if not exists search;
grant usage on schema search to anon, authenticated, service_role;
comment on schema search is 'Typo-tolerant search over cities, ZIP codes, providers, plans and plan features, and its query log.';

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
comment on function search.normalize(text) is
  'Text folded for matching: lower case, accents stripped, punctuation to single spaces.';

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
comment on table search.documents is 'What search finds: one document per city, ZIP, provider, plan and plan feature.';
comment on column search.documents.id is 'Document number.';
comment on column search.documents.doc_type is 'city, zip, provider, plan or feature.';
comment on column search.documents.ref_id is 'Id of the thing found (city id, ZIP, provider id, plan id, feature code).';
comment on column search.documents.label is 'What a result shows as its title.';
comment on column search.documents.subtitle is 'What a result shows under its title (county and TDSP, provider, ...).';
comment on column search.documents.normalized is 'search.normalize(label): what prefixes, trigrams and typos match against.';
comment on column search.documents.normalized_length is 'Length of normalized; bounds the Levenshtein branch to names of about the typed length.';
comment on column search.documents.keywords is 'Normalized label plus synonyms ("green energy" also answers "renewable", "wind").';
comment on column search.documents.popularity is 'Prominence (population for places, plan counts for providers); breaks ties between equal matches.';
comment on column search.documents.payload is 'The fields an API item carries besides type, id, label, subtitle and score.';
comment on column search.documents.refreshed_at is 'When the refresh last changed the document.';

-- Plan features as search offers them: reference data of the search module, loaded here. The codes
-- are the ones energy derives into energy.plans.features; filters are ready for plans/compare.
create table search.features (
  code text primary key check (code ~ '^[a-z_]+$'),
  label text not null,
  subtitle text not null,
  synonyms text not null default '',
  filters jsonb not null default '{}'::jsonb
);
comment on table search.features is 'Plan features search offers as results, with their synonyms and compare filters.';
comment on column search.features.code is 'Feature code as energy.plans.features holds it (green_energy, fixed_rate, ...).';
comment on column search.features.label is 'Result title.';
comment on column search.features.subtitle is 'Result subtitle, saying what the feature means.';
comment on column search.features.synonyms is 'Other words that find the feature ("renewable clean wind solar").';
comment on column search.features.filters is 'plans/compare filters that select plans with the feature ({} where none applies).';

insert into search.features (code, label, subtitle, synonyms, filters) values
  ('green_energy', 'Green energy', '100% renewable plans', 'renewable clean wind solar eco 100%', '{"renewableMin": 100}'),
  ('fixed_rate', 'Fixed rate', 'Price locked for the whole term', 'fixed price locked stable', '{"fixed": true}'),
  ('variable_rate', 'Variable rate', 'Month-to-month price', 'variable month to month flexible no contract', '{"fixed": false}'),
  ('no_deposit', 'No deposit', 'Start service without a deposit', 'no deposit no credit check', '{}'),
  ('prepaid', 'Prepaid', 'Pay as you go', 'prepaid pay as you go', '{"prepaid": true}'),
  ('free_nights', 'Free nights', 'Free or cheap electricity at night', 'free nights night time of use', '{}'),
  ('time_of_use', 'Time of use', 'Prices that change by hour', 'time of use peak off peak', '{}'),
  ('bill_credit', 'Bill credit', 'Credits when usage reaches a threshold', 'bill credit usage credit', '{}'),
  ('no_cancel_fee', 'No cancellation fee', 'Leave any time without a fee', 'no cancel fee no early termination', '{"noCancelFee": true}'),
  ('long_term', 'Long term', 'Contracts of 24 months or more', 'long term 24 36 months', '{}')
on conflict (code) do nothing;

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
comment on table search.queries is 'Every search and autocomplete query with its result count (written by the search function).';
comment on column search.queries.id is 'Query number.';
comment on column search.queries.session_id is 'Tracking session of the visitor, when given.';
comment on column search.queries.user_id is 'Signed-in caller, null for anonymous queries.';
comment on column search.queries.query is 'The query as typed (at most 200 characters).';
comment on column search.queries.normalized is 'search.normalize(query): what analytics group by.';
comment on column search.queries.kind is 'search or autocomplete.';
comment on column search.queries.types is 'Document types the query was limited to, null for all.';
comment on column search.queries.result_count is 'Results returned.';
comment on column search.queries.created_at is 'When the query arrived.';

alter table search.documents enable row level security;
alter table search.features enable row level security;
alter table search.queries enable row level security;
grant select on search.documents, search.features to anon, authenticated;
grant select, insert, update, delete on search.documents, search.features to authenticated, service_role;
grant select on search.queries to authenticated;
grant select, insert, delete on search.queries to service_role;

-- One permissive policy per role and action (multiple_permissive_policies advisor): everyone reads
-- documents and features, admins curate them through one policy per writing action.
create policy "everyone reads search documents" on search.documents for select to anon, authenticated using (true);
create policy "everyone reads search features" on search.features for select to anon, authenticated using (true);
do $$
declare
  curated_table text;
begin
  foreach curated_table in array array['documents', 'features'] loop
    execute format($p$create policy "admins add search %1$s" on search.%1$I for insert to authenticated
      with check ((select private.has_role('admin')))$p$, curated_table);
    execute format($p$create policy "admins change search %1$s" on search.%1$I for update to authenticated
      using ((select private.has_role('admin'))) with check ((select private.has_role('admin')))$p$, curated_table);
    execute format($p$create policy "admins remove search %1$s" on search.%1$I for delete to authenticated
      using ((select private.has_role('admin')))$p$, curated_table);
  end loop;
end
$$;
create policy "analysts and admins read queries" on search.queries for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst'])));

-- Documents --------------------------------------------------------------------------------------------
-- Rebuilds search.documents from energy's published catalog entries and search.features: changed
-- documents are rewritten, unchanged ones left alone, vanished ones removed. Returns rows touched.
create or replace function private.refresh_search_documents() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  touched bigint;
  removed bigint;
begin
  -- A second call in the same transaction replaces the first one's working table.
  drop table if exists pg_temp.fresh;
  create temporary table fresh on commit drop as
  select e.entry_type as doc_type, e.ref_id, e.label, e.subtitle, e.keywords, e.popularity, e.payload
  from energy.catalog_entries() e
  union all
  select 'feature', f.code, f.label, f.subtitle, f.label || ' ' || f.synonyms, 1000000,
         jsonb_build_object('feature', f.code, 'filters', f.filters, 'planCount', coalesce(c.plan_count, 0))
  from search.features f left join energy.feature_plan_counts() c on c.feature = f.code;

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
comment on function private.refresh_search_documents() is
  'Rebuilds search.documents from energy.catalog_entries() and search.features; returns documents written or removed.';

-- A fresh deploy can search its cities, ZIPs and features at once; plans and providers follow with the
-- first import (the pipeline refreshes the documents after each one).
select private.refresh_search_documents();

-- Published contracts ---------------------------------------------------------------------------------
-- What other modules may read of search's data (docs/api/search.md, tests/db/search/90-contracts).

-- Searches per tracking session: one row per distinct session id given (0 when it searched nothing).
create or replace function search.session_searches(session_ids uuid[])
returns table (session_id uuid, searches int)
language plpgsql stable set search_path = '' as $$
begin
  if coalesce(cardinality(session_searches.session_ids), 0) = 0 then
    return;
  end if;
  return query
  select s.id, (select count(*)::int from search.queries q where q.session_id = s.id)
  from (select distinct u.id from unnest(session_searches.session_ids) as u(id) where u.id is not null) s;
end;
$$;
comment on function search.session_searches(uuid[]) is
  'Published contract: the number of searches logged per tracking session.';

revoke execute on function search.session_searches(uuid[]) from public, anon, authenticated;
grant execute on function search.session_searches(uuid[]) to service_role;
