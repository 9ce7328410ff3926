-- Subscribers, lists, double opt-in and consent; RLS for customers, marketing staff and others.
begin;
select plan(40);

select tests.create_supabase_user('mkt_customer', 'mkt-customer@test.local');
select tests.create_supabase_user('mkt_other', 'mkt-other@test.local');
select tests.create_supabase_user('mkt_staff', 'mkt-staff@test.local', 'marketing');
select tests.create_supabase_user('mkt_admin', 'mkt-admin@test.local', 'admin');
select tests.create_supabase_user('mkt_support', 'mkt-support@test.local', 'support');

insert into marketing.lists (slug, name, opt_in, consent_text, consent_version) values
  ('t-double', 'Double list', 'double', 'I agree to the double list.', 'd-1'),
  ('t-single', 'Single list', 'single', 'I agree to the single list.', 's-1');
insert into marketing.automations (slug, name, trigger) values ('t-welcome', 'Test welcome', 'subscription.confirmed');
insert into marketing.automation_steps (automation_id, position, template_id)
select a.id, 0, t.id from marketing.automations a, marketing.templates t where a.slug = 't-welcome' and t.slug = 'welcome';

-- Double opt-in -----------------------------------------------------------------------------------
create temporary table first_try as
select marketing.subscribe('Mkt-Customer@Test.local', 't-double', 'Cory', 'form', '203.0.113.7', 'pgTAP',
                           tests.get_supabase_uid('mkt_customer')) as r;
select is((select r ->> 'status' from first_try), 'unconfirmed', 'a double opt-in list starts unconfirmed');
select is((select r ->> 'confirmationQueued' from first_try), 'true', 'and queues the confirmation e-mail');
select is((select email from marketing.subscribers where id = (select (r ->> 'subscriberId')::uuid from first_try)),
  'mkt-customer@test.local', 'addresses are stored lower-cased');
select is((select count(*)::int from marketing.messages m join marketing.templates t on t.id = m.template_id
           where m.subscriber_id = (select (r ->> 'subscriberId')::uuid from first_try) and t.slug = 'double-opt-in'),
  1, 'one confirmation message is in the outbox');
select is((select kind from marketing.messages where subscriber_id = (select (r ->> 'subscriberId')::uuid from first_try)),
  'transactional', 'the confirmation is transactional (it goes out before consent)');
select results_eq($$select action, source, consent_text_version, host(ip) from marketing.consent_log
                    where subscriber_id = (select (r ->> 'subscriberId')::uuid from first_try)$$,
  $$values ('subscribe'::text, 'form'::text, 'd-1'::text, '203.0.113.7'::text)$$,
  'the consent log records what, where from, which text version and the address');
select ok(exists (select 1 from net.http_request_queue where url like '%/functions/v1/pipeline/marketing-send'),
  'subscribing wakes the send job through pg_net');

select marketing.subscribe('mkt-customer@test.local', 't-double');
select is((select count(*)::int from marketing.messages where subscriber_id = (select (r ->> 'subscriberId')::uuid from first_try)),
  2, 'subscribing again (still unconfirmed) queues a fresh confirmation under a new consent record');

create temporary table sub as select (r ->> 'subscriberId')::uuid as id, (select id from marketing.lists where slug = 't-double') as list_id from first_try;
select is(marketing.confirm_subscription((select id from sub), (select list_id from sub)) ->> 'changed', 'true',
  'confirming changes the subscription');
select is((select status from marketing.subscriptions where subscriber_id = (select id from sub) and list_id = (select list_id from sub)),
  'confirmed', 'the subscription is confirmed');
select is(marketing.confirm_subscription((select id from sub), (select list_id from sub)) ->> 'changed', 'false',
  'a second click changes nothing');
select is((select count(*)::int from marketing.consent_log where subscriber_id = (select id from sub) and action = 'confirm'),
  1, 'and logs one confirmation');
select is((select count(*)::int from marketing.automation_runs r join marketing.automations a on a.id = r.automation_id
           where a.slug = 't-welcome' and r.subscriber_id = (select id from sub)), 1,
  'confirmation starts the welcome automation once');
select marketing.subscribe('mkt-customer@test.local', 't-double');
select is((select count(*)::int from marketing.messages where subscriber_id = (select id from sub) and consent_id is not null),
  2, 'subscribing a confirmed address queues no new confirmation');
select throws_ok($$select marketing.subscribe('x@test.local', 'no-such-list')$$, 'PT404', 'No list no-such-list.',
  'an unknown list is a PT404');
select throws_ok($$select marketing.confirm_subscription(gen_random_uuid(), gen_random_uuid())$$, 'PT404', null,
  'confirming an unknown subscription is a PT404');

-- Single opt-in -----------------------------------------------------------------------------------
select is(marketing.subscribe('single@test.local', 't-single') ->> 'status', 'confirmed', 'a single opt-in list confirms at once');
select is((select count(*)::int from marketing.automation_runs r join marketing.subscribers s on s.id = r.subscriber_id
           join marketing.automations a on a.id = r.automation_id where s.email = 'single@test.local' and a.slug = 't-welcome'),
  1, 'and starts the welcome automation');

-- Unsubscribe ---------------------------------------------------------------------------------------
select marketing.subscribe('mkt-customer@test.local', 't-single');
select is(marketing.unsubscribe((select id from sub), (select id from marketing.lists where slug = 't-single'), 'one_click'), 1,
  'unsubscribing from one list changes one subscription');
select is((select status from marketing.subscriptions where subscriber_id = (select id from sub) and list_id = (select list_id from sub)),
  'confirmed', 'the other list stays subscribed');
select is(marketing.unsubscribe((select id from sub), null, 'one_click'), 1, 'unsubscribing from all lists changes the rest');
select is(marketing.unsubscribe((select id from sub), null, 'one_click'), 0, 'a repeated unsubscribe changes nothing');
select is((select count(*)::int from marketing.consent_log where subscriber_id = (select id from sub) and action = 'unsubscribe' and source = 'one_click'),
  2, 'each unsubscribe is in the consent log with its source');
select throws_ok($$select marketing.confirm_subscription((select id from sub), (select list_id from sub))$$, 'PT409', null,
  'an old confirmation link cannot resubscribe someone who left');
select throws_ok($$update marketing.consent_log set source = 'edited'$$, 'PT409', 'The consent log is append-only.',
  'the consent log is append-only');

-- Blocklisted addresses are answered like new ones and get nothing.
update marketing.subscribers set status = 'blocklisted' where email = 'single@test.local';
select is(marketing.subscribe('single@test.local', 't-double') ->> 'confirmationQueued', 'false',
  'a blocklisted address is queued nothing');

-- RLS ----------------------------------------------------------------------------------------------
select marketing.subscribe('mkt-other@test.local', 't-single', null, 'form', null, null, tests.get_supabase_uid('mkt_other'));

select tests.authenticate_as_anon();
select throws_ok($$select * from marketing.subscribers$$, '42501', null, 'anon cannot read subscribers');
select throws_ok($$select * from marketing.subscriptions$$, '42501', null, 'anon cannot read subscriptions');
select isnt_empty($$select * from marketing.lists where slug = 't-double'$$, 'anon reads lists (the form shows them)');
select throws_ok($$insert into marketing.lists (slug, name, consent_text) values ('anon-list', 'x', 'x')$$, '42501', null,
  'anon cannot create lists');
select throws_ok($$select marketing.subscribe('anon@test.local', 't-single')$$, '42501', null,
  'anon cannot call the subscribe RPC directly (only through the rate-limited function)');

select tests.authenticate_as('mkt_customer');
select results_eq($$select email from marketing.subscribers$$, $$values ('mkt-customer@test.local'::text)$$,
  'a customer reads only their own subscriber row');
select is((select count(*)::int from marketing.subscriptions), 2, 'and only their own subscriptions');
select is((select count(*)::int from marketing.consent_log where subscriber_id <> (select id from marketing.subscribers)), 0,
  'and only their own consent records');
select is_empty($$update marketing.subscriptions set status = 'unsubscribed'
                  where subscriber_id = (select s.id from marketing.subscribers s where s.email = 'x')
                  returning 1$$, 'nothing to change on someone else''s subscription');
select throws_ok($$update marketing.subscriptions set status = 'confirmed'$$, '42501', null,
  'a customer cannot confirm themselves through the Data API (only unsubscribe)');

select tests.authenticate_as('mkt_other');
select results_eq($$update marketing.subscriptions set status = 'unsubscribed' returning status$$,
  $$values ('unsubscribed'::text)$$, 'a customer unsubscribes their own subscription');

select tests.authenticate_as('mkt_staff');
select cmp_ok((select count(*)::int from marketing.subscribers), '>=', 3, 'marketing staff read every subscriber');
select results_eq($$insert into marketing.lists (slug, name, consent_text) values ('staff-list', 'Staff list', 'I agree.') returning slug$$,
  $$values ('staff-list'::text)$$, 'marketing staff create lists');

select tests.authenticate_as('mkt_support');
select is_empty($$select * from marketing.subscribers$$, 'support staff read no subscribers');
select tests.clear_authentication();

select * from finish();
rollback;
