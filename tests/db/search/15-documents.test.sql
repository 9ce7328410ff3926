-- Search documents and features: built from energy's published catalog (cities, ZIPs and features
-- on every deploy, providers and plans once plans are imported), normalization, and RLS (everyone
-- reads, admins curate; every write asserts the rows it changed).
begin;
select plan(17);

select has_table('search', 'documents', 'search.documents exists');
select has_table('search', 'features', 'search.features exists');
select has_table('search', 'queries', 'search.queries exists');
select col_type_is('search', 'queries', 'result_count', 'integer', 'queries.result_count is an int (contract)');
select is(search.normalize('  Cañón   City!'), 'canon city', 'normalization strips accents and punctuation');
select results_eq($$select doc_type, count(*)::int from search.documents group by doc_type order by doc_type$$,
  $$values ('city'::text, 1468), ('feature', 10), ('plan', 320), ('provider', 24), ('zip', 2599)$$,
  'one document per city, feature, active English plan, active provider and ZIP');
select is((select payload ->> 'tdsp' from search.documents where doc_type = 'city' and label = 'Houston'), 'centerpoint',
  'a city document carries its TDSP code');
select is((select payload from search.documents where doc_type = 'feature' and ref_id = 'green_energy'),
  jsonb_build_object('feature', 'green_energy', 'filters', '{"renewableMin": 100}'::jsonb, 'planCount',
                     (select count(*) from energy.plans where active and language = 'English' and 'green_energy' = any (features))),
  'a feature document carries its compare filters and plan count');
select is((select keywords from search.documents where doc_type = 'feature' and ref_id = 'green_energy'),
  'green energy renewable clean wind solar eco 100', 'a feature''s synonyms are its keywords');
select is((select count(*)::int from search.features), 10, 'the migrations load the ten plan features');

-- RLS ----------------------------------------------------------------------------------------------
select tests.create_supabase_user('docs_customer');
select tests.create_supabase_user('docs_admin', null, 'admin');
select tests.authenticate_as_anon();
select is((select count(*)::int from search.features), 10, 'anon reads the features');
select tests.authenticate_as('docs_customer');
select throws_ok($$insert into search.documents (doc_type, ref_id, label, normalized, keywords) values ('city', 'x', 'X', 'x', 'x')$$,
  '42501', 'new row violates row-level security policy for table "documents"', 'a customer cannot add search documents');
with changed as (update search.features set label = 'Spam' returning 1) select count(*) as changed from changed \gset
select is(:changed::int, 0, 'a customer''s update of the features changes no row');
with changed as (delete from search.documents returning 1) select count(*) as changed from changed \gset
select is(:changed::int, 0, 'a customer''s delete of the documents removes none');
select tests.authenticate_as('docs_admin');
with added as (insert into search.documents (doc_type, ref_id, label, normalized, keywords) values ('city', 'x', 'X', 'x', 'x')
               returning 1) select count(*) as changed from added \gset
select is(:changed::int, 1, 'an admin curates a search document');
with changed as (update search.features set synonyms = synonyms || ' eco-friendly' where code = 'green_energy' returning 1)
select count(*) as changed from changed \gset
select is(:changed::int, 1, 'an admin edits a feature''s synonyms');
with changed as (delete from search.documents where ref_id = 'x' returning 1) select count(*) as changed from changed \gset
select is(:changed::int, 1, 'an admin removes a document');

select * from finish();
rollback;
