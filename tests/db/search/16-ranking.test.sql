-- search.find: typo-tolerant ranking, prefix autocomplete, exact ZIPs, feature documents, and the
-- input it refuses (PT422). Read-only: anon and the service call it alike.
begin;
select plan(16);

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
select is_empty($$select * from search.find('77', null, 20, 'autocomplete')$$, 'ZIP prefixes start at three digits');
select results_eq($$select doc_type, ref_id from search.find('green energy', array['feature'], 3, 'search')$$,
  $$values ('feature'::text, 'green_energy'::text)$$, 'features are searchable, and types limit the kinds found');
select is((select ref_id from search.find('renewable', array['feature'], 1, 'search')), 'green_energy',
  'a feature''s synonyms find it');
select is_empty($$select * from search.find('qqqqzzzz', null, 5, 'search')$$, 'nonsense finds nothing');
select is_empty($$select * from search.find('%_%', null, 5, 'autocomplete')$$, 'LIKE wildcards in q match nothing by themselves');
select throws_ok($$select * from search.find(repeat('a', 201))$$, 'PT422', 'q must be at most 200 characters.',
  'q longer than 200 characters is refused');
select throws_ok($$select * from search.find('houston', null, 51)$$, 'PT422', 'mode or max_results is out of range.',
  'more than 50 results are refused');
select throws_ok($$select * from search.find('houston', null, 5, 'fuzzy')$$, 'PT422', 'mode or max_results is out of range.',
  'an unknown mode is refused');

select * from finish();
rollback;
