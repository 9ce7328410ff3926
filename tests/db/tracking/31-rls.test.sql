-- Tracking RLS: anon never reads or writes directly (only the ingest path writes), signed-in users
-- read their own sessions and what belongs to them, analysts and admins read everything, nobody
-- updates or deletes raw events (retention runs as the owner), admins alone change configuration.
begin;
select plan(43);

select tests.create_supabase_user('trk_owner');
select tests.create_supabase_user('trk_other');
select tests.create_supabase_user('trk_sales', null, 'sales');
select tests.create_supabase_user('trk_analyst', null, 'analyst');
select tests.create_supabase_user('trk_admin', null, 'admin');

-- Arrange through the ingest path, as the edge function does.
select tracking.ingest_events('00000000-0000-4000-8000-00000000f001', tests.get_supabase_uid('trk_owner'),
  '{"device_type":"desktop"}',
  jsonb_build_array(jsonb_build_object('id', '00000000-0000-4000-8000-00000000e001', 'type', 'click',
                                       'occurred_at', now())));
select tracking.ingest_events('00000000-0000-4000-8000-00000000f002', tests.get_supabase_uid('trk_other'), '{}',
  jsonb_build_array(jsonb_build_object('id', '00000000-0000-4000-8000-00000000e002', 'type', 'click',
                                       'occurred_at', now())));
select tracking.ingest_snapshots('00000000-0000-4000-8000-00000000f001', null, '{}',
  jsonb_build_array(jsonb_build_object('id', '00000000-0000-4000-8000-00000000d001', 'configuration', '{"a":1}',
                                       'trigger', 'auto_save', 'occurred_at', now())));
select tracking.ingest_metrics('00000000-0000-4000-8000-00000000f002', null, '{}',
  jsonb_build_array(jsonb_build_object('id', '00000000-0000-4000-8000-00000000c002', 'name', 'lcp', 'value', 1200,
                                       'occurred_at', now())));
insert into tracking.rollup_events (grain, bucket, type, category, events)
values ('hour', date_trunc('hour', now()), 'click', 'rls-test', 2);

-- anon -------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select * from tracking.sessions$$, '42501', null, 'anon cannot read sessions');
select throws_ok($$select * from tracking.events$$, '42501', null, 'anon cannot read events');
select throws_ok($$select * from tracking.snapshots$$, '42501', null, 'anon cannot read snapshots');
select throws_ok($$select * from tracking.rollup_events$$, '42501', null, 'anon cannot read rollups');
select throws_ok(
  $$insert into tracking.events (id, session_id, type, occurred_at)
    values (gen_random_uuid(), '00000000-0000-4000-8000-00000000f009', 'click', now())$$,
  '42501', null, 'anon cannot insert events directly');
select throws_ok(
  $$insert into tracking.sessions (id) values ('00000000-0000-4000-8000-00000000f009')$$,
  '42501', null, 'anon cannot insert sessions directly');
select throws_ok(
  $$select tracking.ingest_events('00000000-0000-4000-8000-00000000f009', null, '{}', '[]')$$,
  '42501', null, 'anon cannot call the ingest function around the edge function');
select throws_ok($$select tracking.analytics_realtime()$$, '42501', null, 'anon cannot call analytics');

-- a signed-in customer -----------------------------------------------------------------------------
select tests.authenticate_as('trk_owner');
select results_eq($$select id::text from tracking.sessions$$, $$values ('00000000-0000-4000-8000-00000000f001')$$,
  'a user reads only their own sessions');
select results_eq($$select id::text from tracking.events$$, $$values ('00000000-0000-4000-8000-00000000e001')$$,
  'a user reads only the events of their own sessions');
select results_eq($$select id::text from tracking.snapshots$$, $$values ('00000000-0000-4000-8000-00000000d001')$$,
  'a user reads the snapshots of their own sessions');
select is_empty($$select * from tracking.performance_metrics$$, 'a user does not read metrics of other sessions');
select is_empty($$select * from tracking.rollup_events$$, 'a customer does not read rollups');
select is_empty($$select * from tracking.funnel_steps$$, 'a customer does not read the funnel definition');
select ok(tracking.analytics_journey('00000000-0000-4000-8000-00000000f001') is not null,
  'a user may read the journey of their own session');
select is(tracking.analytics_journey('00000000-0000-4000-8000-00000000f002'), null,
  'but not the journey of someone else''s session');
select throws_ok($$select tracking.analytics_overview(now() - interval '1 day', now())$$, 'PT403', null,
  'a customer cannot call the overview');
select throws_ok(
  $$insert into tracking.events (id, session_id, type, occurred_at)
    values (gen_random_uuid(), '00000000-0000-4000-8000-00000000f001', 'click', now())$$,
  '42501', null, 'a user cannot insert events directly');
select throws_ok($$update tracking.events set category = 'x'$$, '42501', null, 'a user cannot update events');
select throws_ok($$delete from tracking.events$$, '42501', null, 'a user cannot delete events');
select throws_ok($$update tracking.sessions set completion_level = 3$$, '42501', null,
  'a user cannot mark their session completed');

select tests.authenticate_as('trk_other');
select results_eq($$select id::text from tracking.sessions$$, $$values ('00000000-0000-4000-8000-00000000f002')$$,
  'another user sees only their own session');
select results_eq($$select id::text from tracking.performance_metrics$$,
  $$values ('00000000-0000-4000-8000-00000000c002')$$, 'and the metrics of it');

-- staff without the analyst role ---------------------------------------------------------------------
select tests.authenticate_as('trk_sales');
select is_empty($$select * from tracking.sessions where id in ('00000000-0000-4000-8000-00000000f001',
  '00000000-0000-4000-8000-00000000f002')$$, 'sales staff do not read tracking sessions');
select throws_ok($$select tracking.analytics_funnel(now() - interval '1 day', now())$$, 'PT403', null,
  'sales staff cannot call analytics');

-- analyst ---------------------------------------------------------------------------------------------
select tests.authenticate_as('trk_analyst');
select is((select count(*)::int from tracking.sessions where id in ('00000000-0000-4000-8000-00000000f001',
  '00000000-0000-4000-8000-00000000f002')), 2, 'an analyst reads every session');
select is((select count(*)::int from tracking.events where id in ('00000000-0000-4000-8000-00000000e001',
  '00000000-0000-4000-8000-00000000e002')), 2, 'an analyst reads every event');
select is((select events::int from tracking.rollup_events where category = 'rls-test'), 2, 'an analyst reads rollups');
select ok(tracking.analytics_overview(now() - interval '1 day', now()) ? 'sessions', 'an analyst gets the overview');
select ok(tracking.analytics_journey('00000000-0000-4000-8000-00000000f002') is not null,
  'an analyst reads any journey');
select is_empty($$update tracking.settings set retention_days = 30 returning 1$$, 'an analyst cannot change settings');
select throws_ok($$insert into tracking.funnel_steps (position, name, source, event_type) values (9, 'x', 'event', 'click')$$,
  '42501', null, 'an analyst cannot change the funnel');
select throws_ok($$delete from tracking.events$$, '42501', null, 'an analyst cannot delete events');

-- admin -----------------------------------------------------------------------------------------------
select tests.authenticate_as('trk_admin');
select results_eq($$update tracking.settings set retention_days = 30 returning retention_days$$, $$values (30)$$,
  'an admin changes the retention');
select results_eq(
  $$insert into tracking.funnel_steps (position, name, source, event_type) values (9, 'x', 'event', 'click') returning position$$,
  $$values (9::smallint)$$, 'an admin adds a funnel step');
select throws_ok($$update tracking.events set category = 'x'$$, '42501', null, 'not even an admin updates events');
select throws_ok($$delete from tracking.events$$, '42501', null, 'not even an admin deletes events');

-- service_role (pipelines) ------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select ok((select count(*) from tracking.events) >= 2, 'service_role reads events');
select throws_ok($$delete from tracking.events$$, '42501', null, 'service_role cannot delete events');
select throws_ok($$update tracking.events set category = 'x'$$, '42501', null, 'service_role cannot update events');
select throws_ok($$delete from tracking.sessions$$, '42501', null, 'service_role cannot delete sessions');

-- Realtime: the rollup broadcast topic is for analysts and admins only.
select tests.clear_authentication();
insert into realtime.messages (topic, extension, payload, event, private)
values ('analytics:tracking', 'broadcast', '{"rowsTouched":1}', 'rollup', true);
select tests.authenticate_as('trk_analyst');
select set_config('realtime.topic', 'analytics:tracking', true);
select ok((select count(*) from realtime.messages where topic = 'analytics:tracking') >= 1,
  'an analyst receives the rollup broadcasts');
select tests.authenticate_as('trk_owner');
select set_config('realtime.topic', 'analytics:tracking', true);
select is_empty($$select 1 from realtime.messages where topic = 'analytics:tracking'$$,
  'a customer does not receive them');

select * from finish();
rollback;
