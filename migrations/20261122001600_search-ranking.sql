-- Search module, part 2: ranking. search.find answers the search function's queries: prefix
-- matching for autocomplete, exact ZIPs, and typo tolerance (pg_trgm similarity, unaccent, Levenshtein
-- for dropped/doubled/swapped letters) with population as the tie-breaker.

-- Exact ZIPs, or in autocomplete ZIP prefixes from three digits (a five-digit prefix is exact too).
-- nq is the normalized query, all digits; search.find has checked the arguments.
create or replace function search.find_zips(nq text, types text[], max_results int, mode text)
returns table (doc_type text, ref_id text, label text, subtitle text, payload jsonb, score real)
language plpgsql stable set search_path = '' as $$
declare
  n int := char_length(nq);
begin
  return query
  select d.doc_type, d.ref_id, d.label, d.subtitle, d.payload, 1::real
  from search.documents d
  where d.doc_type = 'zip' and (types is null or 'zip' = any (types))
    and case when mode = 'search' or n = 5 then d.normalized = nq else n >= 3 and d.normalized like nq || '%' end
  order by d.normalized
  limit max_results;
end;
$$;

/*
  Names (cities, providers, plans, features) for a normalized query nq of two characters or more:
  prefixes, trigram similarity on the label and its keywords, and Levenshtein distance against the
  whole label and against its prefix of the typed length (so "hustn" finds Houston), allowing 1 edit
  up to 3 characters, 2 up to 5, else 3. The score is 85% text match and 15% popularity, so among
  equally close names the bigger city wins. PL/pgSQL like search.find (a SQL function with a SET
  clause is planned once for any nq; the prefix branches need nq's value to use their btree index).
*/
create or replace function search.find_names(nq text, types text[], max_results int, mode text)
returns table (doc_type text, ref_id text, label text, subtitle text, payload jsonb, score real)
language plpgsql stable set search_path = '' as $$
declare
  n int := char_length(nq);
  allowed int := case when char_length(nq) <= 3 then 1 when char_length(nq) <= 5 then 2 else 3 end;
begin
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
end;
$$;

/*
  Finds documents for q, best first. mode 'autocomplete': prefix matching (ZIP prefixes from 3
  digits); mode 'search': exact ZIPs. Both tolerate typos (search.find_names). Refuses q over 200
  characters, an unknown mode and more than 50 results (PT422). Read-only: the search function logs
  every query (with its result count) into search.queries in batches.
*/
create or replace function search.find(
  q text, types text[] default null, max_results int default 10, mode text default 'search'
) returns table (doc_type text, ref_id text, label text, subtitle text, payload jsonb, score real)
language plpgsql stable set search_path = '' as $$
declare
  nq text := search.normalize(q);
begin
  if q is null or char_length(q) > 200 then
    raise exception using errcode = 'PT422', hint = 'invalid_query', message = 'q must be at most 200 characters.';
  end if;
  if mode is null or mode not in ('search', 'autocomplete') or max_results is null or max_results not between 1 and 50 then
    raise exception using errcode = 'PT422', hint = 'invalid_arguments', message = 'mode or max_results is out of range.';
  end if;
  if nq ~ '^\d+$' then
    return query select * from search.find_zips(nq, types, max_results, mode);
  elsif char_length(nq) >= 2 then
    return query select * from search.find_names(nq, types, max_results, mode);
  end if;
end;
$$;
grant execute on function search.find(text, text[], int, text), search.find_zips(text, text[], int, text),
  search.find_names(text, text[], int, text) to anon, authenticated, service_role;
comment on function search.find(text, text[], int, text) is
  'Documents matching q, best first: exact or prefix ZIPs, prefixes, trigram similarity and typos; refuses bad input (PT422).';
comment on function search.find_zips(text, text[], int, text) is
  'search.find for an all-digit normalized query: the exact ZIP, or ZIP prefixes from three digits in autocomplete.';
comment on function search.find_names(text, text[], int, text) is
  'search.find for names: prefix, trigram and Levenshtein matches scored 85% text, 15% popularity.';
