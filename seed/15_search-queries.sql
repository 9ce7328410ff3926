-- Demo data: a month of logged search and autocomplete queries, so /search/analytics shows popular
-- and zero-result queries right after ./dev start. Each term's result count is what search.find
-- answers for it now; misspellings that find nothing become the zero-result list.
with terms (term, weight) as (
  values ('houston', 40), ('dallas', 30), ('fort worth', 18), ('corpus christi', 10), ('green energy', 14),
         ('fixed rate', 9), ('no deposit', 8), ('77002', 12), ('75201', 7), ('txu energy', 6), ('hustn', 5),
         ('abliene', 3), ('free nights', 4), ('solar panels', 3), ('zzyzx', 2), ('prepaid', 5)
), answered as (
  select t.term, t.weight, k.kind,
         (select count(*)::int from search.find(t.term, null, 10, k.kind)) as result_count
  from terms t cross join (values ('search'), ('autocomplete')) as k(kind)
)
insert into search.queries (session_id, query, normalized, kind, result_count, created_at)
select gen_random_uuid(), a.term, search.normalize(a.term), a.kind, a.result_count,
       now() - make_interval(mins => (n * 97 + a.weight * 13) % (30 * 24 * 60))
from answered a cross join lateral generate_series(1, a.weight) as n;
