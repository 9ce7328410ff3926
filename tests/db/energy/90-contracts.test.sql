-- Energy's published contracts (what leads and other modules may read of energy's data). They read
-- energy's own tables, so renaming a table or column behind them fails these assertions here.
begin;
select plan(8);

select has_function('energy', 'zip_facts', array['text[]'], 'energy publishes zip_facts(zips text[])');
select has_function('energy', 'session_comparisons', array['uuid[]'], 'energy publishes session_comparisons(uuid[])');

select results_eq(
  $$select zip, latitude, longitude, deregulated, county from energy.zip_facts(array['77002', '00000', null])$$,
  $$select z.zip, z.latitude, z.longitude, z.deregulated, z.county from energy.zips z where z.zip = '77002'$$,
  'zip_facts answers the known ZIP with its centroid, market and county, and leaves out unknown ones');
select is((select deregulated from energy.zip_facts(array['77002'])), true, 'downtown Houston is deregulated');
select is((select count(*)::int from energy.zip_facts('{}')), 0, 'no ZIPs, no rows');

select set_config('test.compared', gen_random_uuid()::text, true), set_config('test.idle', gen_random_uuid()::text, true);
insert into energy.plan_comparisons (session_id, usage_kwh, monthly_usage_kwh, result_count, created_at)
values (current_setting('test.compared')::uuid, 900, array_fill(900, array[12]), 3, now() - interval '1 hour'),
       (current_setting('test.compared')::uuid, 1400, array_fill(1400, array[12]), 3, now());
select results_eq(
  format($$select session_id, comparisons, last_usage_kwh from energy.session_comparisons(array[%L, %L, %L]::uuid[])
           order by comparisons desc$$,
         current_setting('test.compared'), current_setting('test.idle'), current_setting('test.compared')),
  format($$values (%L::uuid, 2, 1400::numeric), (%L::uuid, 0, null::numeric)$$,
         current_setting('test.compared'), current_setting('test.idle')),
  'session_comparisons counts a session''s comparisons and reports the latest usage; one row per distinct session');
select is((select count(*)::int from energy.session_comparisons(array[null]::uuid[])), 0, 'null ids are ignored');

set local role anon;
select throws_ok($$select * from energy.session_comparisons(array[gen_random_uuid()])$$, '42501', null,
  'browsers cannot read other sessions'' comparisons through the contract');
reset role;

select * from finish();
rollback;
