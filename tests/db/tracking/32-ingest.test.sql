-- Ingest functions: exactly-once storage by event id, session creation and touching, completion
-- state that only moves forward, funnel progress, user attribution.
begin;
select plan(26);

select tests.create_supabase_user('ingest_user');

create temporary table batch as
select jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0001', 'type', 'page_view',
                     'occurred_at', now() - interval '2 minutes'),
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0002', 'type', 'selection', 'category', 'nest',
                     'value', 'nest-80', 'previous_value', 'nest-60', 'time_spent_ms', 1500,
                     'occurred_at', now() - interval '1 minute', 'props', '{"step":2}'::jsonb)
) as events;

select is(
  tracking.ingest_events('00000000-0000-4000-8000-0000000b0001', tests.get_supabase_uid('ingest_user'),
    '{"device_type":"mobile","viewport_width":390,"viewport_height":844,"referrer":"https://example.com","utm":{"utm_source":"ads"}}',
    (select events from batch)),
  2, 'a batch stores every new event');
select is(
  tracking.ingest_events('00000000-0000-4000-8000-0000000b0001', null, '{}', (select events from batch)),
  0, 'resending the same batch stores nothing');
select is((select count(*)::int from tracking.events where session_id = '00000000-0000-4000-8000-0000000b0001'), 2,
  'each event is stored exactly once');
select results_eq(
  $$select type, category, value, previous_value, time_spent_ms, props from tracking.events
    where id = '00000000-0000-4000-8000-0000000a0002'$$,
  $$values ('selection'::text, 'nest'::text, 'nest-80'::text, 'nest-60'::text, 1500, '{"step":2}'::jsonb)$$,
  'every field of an event is kept');
select results_eq(
  $$select device_type, viewport_width, viewport_height, referrer, utm ->> 'utm_source', completion_state, steps_mask
    from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0001'$$,
  $$values ('mobile'::text, 390, 844, 'https://example.com'::text, 'ads'::text, 'browsing'::text, 3)$$,
  'the session is created from the descriptor, with the funnel steps its events reached');
select is((select user_id from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0001'),
  tests.get_supabase_uid('ingest_user'), 'a signed-in user is attributed');
select is((select started_at from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0001'),
  now() - interval '2 minutes', 'the session starts at its first event');
select is((select last_event_at from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0001'),
  now() - interval '1 minute', 'and remembers its last event');

select tracking.ingest_events('00000000-0000-4000-8000-0000000b0001', null,
  '{"device_type":"desktop","referrer":"https://other.example"}',
  jsonb_build_array(jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0003', 'type', 'click',
                                       'occurred_at', now())));
select results_eq(
  $$select device_type, referrer, user_id is not null from tracking.sessions
    where id = '00000000-0000-4000-8000-0000000b0001'$$,
  $$values ('mobile'::text, 'https://example.com'::text, true)$$,
  'a later descriptor does not overwrite the first, and an anonymous batch keeps the user');

-- Snapshots move the completion state forward only.
select is(tracking.ingest_snapshots('00000000-0000-4000-8000-0000000b0001', null, '{}', jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000c0001', 'configuration', '{"nest":"nest-80"}',
                     'total_price', 129000, 'completion_percentage', 60, 'trigger', 'auto_save',
                     'occurred_at', now()))), 1, 'a snapshot is stored');
select is((select completion_state from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0001'),
  'configuring', 'a partial configuration marks the session configuring');
select tracking.ingest_snapshots('00000000-0000-4000-8000-0000000b0001', null, '{}', jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000c0002', 'configuration', '{"nest":"nest-80","roof":"flat"}',
                     'total_price', 154000, 'completion_percentage', 100, 'trigger', 'auto_save',
                     'occurred_at', now())));
select results_eq(
  $$select completion_state, completed_at is not null, steps_mask from tracking.sessions
    where id = '00000000-0000-4000-8000-0000000b0001'$$,
  $$values ('completed'::text, true, 15)$$, 'a complete configuration converts the session');
select tracking.ingest_snapshots('00000000-0000-4000-8000-0000000b0001', null, '{}', jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000c0003', 'configuration', '{"nest":"nest-80","roof":"flat"}',
                     'total_price', 154000, 'completion_percentage', 100, 'trigger', 'order_attempt',
                     'occurred_at', now())));
select is((select completion_state from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0001'),
  'ordered', 'an order attempt marks the session ordered');
select tracking.ingest_snapshots('00000000-0000-4000-8000-0000000b0001', null, '{}', jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000c0004', 'configuration', '{"nest":"nest-60"}',
                     'completion_percentage', 20, 'trigger', 'page_exit', 'occurred_at', now())));
select results_eq(
  $$select completion_state, ended_at is not null, steps_mask from tracking.sessions
    where id = '00000000-0000-4000-8000-0000000b0001'$$,
  $$values ('ordered'::text, true, 31)$$, 'a later partial snapshot never moves the state back; page exit ends it');
select is(tracking.ingest_snapshots('00000000-0000-4000-8000-0000000b0001', null, '{}', jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000c0004', 'configuration', '{}', 'trigger', 'page_exit',
                     'occurred_at', now()))), 0, 'a resent snapshot is not stored twice');

-- Metrics, with and without a session.
select is(tracking.ingest_metrics(null, null, '{}', jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000d0001', 'name', 'api_response_time', 'value', 87.5,
                     'route', '/price', 'extra', '{"method":"GET"}'::jsonb, 'occurred_at', now()))), 1,
  'a metric without a session is stored');
select is((select count(*)::int from tracking.sessions where id is null), 0, 'and creates no session');
select is(tracking.ingest_metrics(null, null, '{}', jsonb_build_array(
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000d0001', 'name', 'api_response_time', 'value', 87.5,
                     'occurred_at', now()))), 0, 'a resent metric is not stored twice');
select is(tracking.ingest_metrics('00000000-0000-4000-8000-0000000b0002', null, '{"device_type":"tablet"}',
  jsonb_build_array(jsonb_build_object('id', '00000000-0000-4000-8000-0000000d0002', 'name', 'lcp', 'value', 2100,
                                       'occurred_at', now()))), 1, 'a metric with a new session is stored');
select is((select device_type from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0002'), 'tablet',
  'and creates that session');

-- Groups: several batches in one call, each answered on its own.
select results_eq(
  $$select batch, stored from tracking.ingest_event_batches(jsonb_build_array(
      jsonb_build_object('session_id', '00000000-0000-4000-8000-0000000b0003', 'session', '{}'::jsonb,
        'events', jsonb_build_array(
          jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0101', 'type', 'page_view', 'occurred_at', now()),
          jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0102', 'type', 'click', 'occurred_at', now()))),
      jsonb_build_object('session_id', '00000000-0000-4000-8000-0000000b0003',
        'session', '{"device_type":"tablet","referrer":"https://ref.example"}'::jsonb,
        'events', jsonb_build_array(
          jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0102', 'type', 'click', 'occurred_at', now()),
          jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0103', 'type', 'selection',
                             'occurred_at', now() + interval '1 second'))),
      jsonb_build_object('session_id', '00000000-0000-4000-8000-0000000b0004', 'session', '{}'::jsonb,
        'events', jsonb_build_array(
          jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0001', 'type', 'page_view',
                             'occurred_at', now() - interval '2 minutes')))))$$,
  $$values (0, 2), (1, 1), (2, 0)$$,
  'a group answers each batch: an event two batches share counts for the earlier, a stored one for none');
select is((select count(*)::int from tracking.events
           where id in ('00000000-0000-4000-8000-0000000a0101', '00000000-0000-4000-8000-0000000a0102',
                        '00000000-0000-4000-8000-0000000a0103')), 3, 'each event of the group is stored once');
select results_eq(
  $$select device_type, referrer, steps_mask, last_event_at = now() + interval '1 second'
    from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0003'$$,
  $$values ('tablet'::text, 'https://ref.example'::text, 3, true)$$,
  'two batches of one session touch it once: the first non-empty descriptor, all steps, the last event');
select is((select count(*)::int from tracking.sessions where id = '00000000-0000-4000-8000-0000000b0004'), 1,
  'a batch of only duplicates still touches its session');
select is((select count(*)::int from tracking.ingest_event_batches('[]')), 0, 'an empty group does nothing');
select throws_ok($$
  select tracking.ingest_events('00000000-0000-4000-8000-0000000b0003', null, '{}', jsonb_build_array(
    jsonb_build_object('id', '00000000-0000-4000-8000-0000000a0201', 'type', 'custom', 'occurred_at', now())))$$,
  '23514', null, 'the schema refuses event types nothing produces or reads (custom)');

select * from finish();
rollback;
