-- Search documents, typo-tolerant ranking, prefix autocomplete, exact ZIPs, the query log and its
-- analytics, and RLS on the log.
begin;
select plan(25);

select has_table('search', 'documents', 'search.documents exists');
select has_table('search', 'queries', 'search.queries exists');
select col_type_is('search', 'queries', 'result_count', 'integer', 'queries.result_count is an int (contract)');
select is(search.normalize('  Cañón   City!'), 'canon city', 'normalization strips accents and punctuation');
select ok((select count(*) from search.documents where doc_type = 'city') > 1000, 'every city is a document');
select is((select payload ->> 'tdsp' from search.documents where doc_type = 'city' and label = 'Houston'), 'centerpoint',
  'a city document carries its TDSP code');

select tests.authenticate_as_anon();
select is((select label from search.find('hou', null, 1, 'autocomplete')), 'Houston', 'autocomplete prefix: hou → Houston');
select is((select label from search.find('Hustn', null, 1, 'autocomplete')), 'Houston', 'dropped letters: Hustn → Houston');
select is((select label from search.find('Dalllas', null, 1, 'search')), 'Dallas', 'doubled letter: Dalllas → Dallas');
select is((select label from search.find('Abliene', null, 1, 'search')), 'Abilene', 'swapped letters: Abliene → Abilene');
select is((select label from search.find('Corpus Christy', null, 1, 'search')), 'Corpus Christi', 'substituted letter');
select is((select label from search.find('SAN ANTÓNIO', null, 1, 'search')), 'San Antonio', 'case and accents do not matter');
select results_eq($$select doc_type, label from search.find('77002', null, 5, 'search')$$, $$values ('zip'::text, '77002'::text)$$,
  'a ZIP search is exact');
select is((select count(*)::int from search.find('7700', null, 20, 'autocomplete')), 9, 'ZIP autocomplete is by prefix');
select is((select doc_type from search.find('green energy', array['feature'], 1, 'search')), 'feature', 'features are searchable');
select is_empty($$select * from search.find('qqqqzzzz', null, 5, 'search')$$, 'nonsense finds nothing');
select is_empty($$select * from search.find('%_%', null, 5, 'autocomplete')$$, 'LIKE wildcards in q match nothing by themselves');
select throws_ok($$select * from search.find(repeat('a', 201))$$, 'PT422', null, 'q longer than 200 characters is refused');

select throws_ok($$insert into search.queries (query, normalized, result_count) values ('spam', 'spam', 0)$$, '42501', null,
  'anon cannot write the query log (the search function logs as the service)');

select tests.clear_authentication();
insert into search.queries (query, normalized, kind, result_count)
values ('Hustn', 'hustn', 'autocomplete', 3), ('hustn', 'hustn', 'search', 3), ('zzqx', 'zzqx', 'search', 0);
select tests.create_supabase_user('search_customer');
select tests.create_supabase_user('search_analyst', null, 'analyst');
select tests.create_supabase_user('search_admin', null, 'admin');
select tests.authenticate_as('search_customer');
select is((search.query_analytics(30, 10) ->> 'totalQueries')::int, 0, 'a customer sees no query analytics (RLS)');
select throws_ok($$insert into search.documents (doc_type, ref_id, label, normalized, keywords) values ('city', 'x', 'X', 'x', 'x')$$,
  '42501', 'new row violates row-level security policy for table "documents"', 'a customer cannot add search documents');
select tests.authenticate_as('search_admin');
select lives_ok($$insert into search.documents (doc_type, ref_id, label, normalized, keywords) values ('city', 'x', 'X', 'x', 'x')$$,
  'an admin can curate search documents');
select tests.authenticate_as('search_customer');
select is_empty($$select 1 from search.queries$$, 'a customer reads no logged query');
select tests.authenticate_as('search_analyst');
select is((select (p ->> 'searches')::int from jsonb_array_elements(search.query_analytics(30, 10) -> 'popular') p
           where p ->> 'query' = 'hustn'), 2, 'analytics group queries by their normalized form');
select is((select (z ->> 'searches')::int from jsonb_array_elements(search.query_analytics(30, 10) -> 'zeroResults') z
           where z ->> 'query' = 'zzqx'), 1, 'and list zero-result queries');

select * from finish();
rollback;
