-- The send outbox: leased claims with send-time suppression, settling with retries and dead rows,
-- one row per (campaign, subscriber), provider events with listmonk's bounce defaults, click targets
-- limited to the message's links; RLS on templates and messages.
begin;
select plan(37);

select tests.create_supabase_user('snd_customer', 'snd-customer@test.local');
select tests.create_supabase_user('snd_staff', 'snd-staff@test.local', 'marketing');
select tests.create_supabase_user('snd_analyst', 'snd-analyst@test.local', 'analyst');
select tests.create_supabase_user('snd_sales', 'snd-sales@test.local', 'sales');

insert into marketing.lists (slug, name, opt_in, consent_text) values ('snd-list', 'Send list', 'single', 'I agree.');
select marketing.subscribe('ok@snd.test', 'snd-list');
select marketing.subscribe('left@snd.test', 'snd-list');
select marketing.subscribe('blocked@snd.test', 'snd-list');
select marketing.subscribe('snd-customer@test.local', 'snd-list', null, 'form', null, null, tests.get_supabase_uid('snd_customer'));
select marketing.unsubscribe((select id from marketing.subscribers where email = 'left@snd.test'));
update marketing.subscribers set status = 'blocklisted' where email = 'blocked@snd.test';
-- Only this test's rows are due.
update marketing.messages set next_attempt_at = 'infinity' where status = 'queued';

insert into marketing.templates (slug, name, subject, body_html, body_text)
values ('snd-news', 'News', 'News', '<p><a href="https://example.com/a">a</a></p>', 'a');
insert into marketing.campaigns (id, name, template_id, list_id)
select 'cccccccc-0000-4000-8000-000000000001', 'Send test', t.id, l.id
from marketing.templates t, marketing.lists l where t.slug = 'snd-news' and l.slug = 'snd-list';

insert into marketing.messages (subscriber_id, template_id, list_id, kind, campaign_id)
select s.id, t.id, l.id, 'marketing', 'cccccccc-0000-4000-8000-000000000001'
from marketing.subscribers s, marketing.templates t, marketing.lists l
where s.email like '%@snd.test' and t.slug = 'snd-news' and l.slug = 'snd-list';
select throws_ok($$insert into marketing.messages (subscriber_id, template_id, list_id, kind, campaign_id)
                   select s.id, t.id, l.id, 'marketing', 'cccccccc-0000-4000-8000-000000000001'
                   from marketing.subscribers s, marketing.templates t, marketing.lists l
                   where s.email = 'ok@snd.test' and t.slug = 'snd-news' and l.slug = 'snd-list'$$,
  '23505', null, 'a campaign has at most one message per subscriber');

create temporary view campaign_messages as
select m.*, s.email from marketing.messages m join marketing.subscribers s on s.id = m.subscriber_id
where m.campaign_id = 'cccccccc-0000-4000-8000-000000000001';

-- Batches of one, the two suppressed rows due first: the claim judges batch after batch instead of
-- answering empty (which the send job takes for an empty queue) while a sendable row waits behind them.
savepoint batches_of_one;
update marketing.messages m set next_attempt_at = now() - case s.email when 'ok@snd.test' then interval '1 minute' else interval '1 hour' end
from marketing.subscribers s where s.id = m.subscriber_id and m.campaign_id = 'cccccccc-0000-4000-8000-000000000001';
select results_eq($$select email from marketing.claim_messages(1, 60)$$, $$values ('ok@snd.test'::text)$$,
  'a batch suppressed whole does not end the claim: the next due row is claimed in the same call');
rollback to savepoint batches_of_one;

create temporary table claimed as select * from marketing.claim_messages(100, 60);
select results_eq($$select email from claimed order by email$$, $$values ('ok@snd.test'::text)$$,
  'only the subscribed, enabled subscriber is claimed for sending');
select is((select subject from claimed), 'News', 'the claim carries the template');
select results_eq($$select email, last_error from campaign_messages where status = 'suppressed' order by email$$,
  $$values ('blocked@snd.test'::text, 'blocklisted'::text), ('left@snd.test', 'not_subscribed')$$,
  'suppression is decided at send time, with the reason');
select is((select status from campaign_messages where email = 'ok@snd.test'), 'sending', 'the claimed row is leased');
select is((select attempts from campaign_messages where email = 'ok@snd.test'), 1, 'and its attempt counted');
select is_empty($$select * from marketing.claim_messages(100, 60)$$, 'a leased row is not claimed twice');
select throws_ok($$select * from marketing.claim_messages(0, 60)$$, 'PT422', null, 'a batch size of 0 is refused');

-- A job killed midway: the lease runs out and the row is claimed again (same id: the provider's
-- idempotency key).
update marketing.messages set leased_until = now() - interval '1 second'
where id = (select message_id from claimed);
select is((select message_id from marketing.claim_messages(100, 60)), (select message_id from claimed),
  'an expired lease makes the row due again under the same id');
select is((select attempts from campaign_messages where email = 'ok@snd.test'), 2, 'as a second attempt');

-- Retry with backoff, then success.
select is(marketing.settle_messages(jsonb_build_array(jsonb_build_object('id', (select message_id from claimed),
  'outcome', 'retry', 'error', 'HTTP 429'))), 1, 'a retryable failure settles the row');
select is((select status from campaign_messages where email = 'ok@snd.test'), 'queued', 'back in the queue');
select is((select next_attempt_at - now() from campaign_messages where email = 'ok@snd.test'), interval '1 minute',
  'after the backoff for the second attempt');
select is(marketing.settle_messages(jsonb_build_array(jsonb_build_object('id', (select message_id from claimed),
  'outcome', 'sent', 'providerMessageId', 'prov-1'))), 0, 'a row no longer leased cannot be settled by a late job');
update marketing.messages set next_attempt_at = now() where id = (select message_id from claimed);
select is((select count(*)::int from marketing.claim_messages(100, 60)), 1, 'due again');
select is(marketing.settle_messages(jsonb_build_array(jsonb_build_object('id', (select message_id from claimed),
  'outcome', 'sent', 'providerMessageId', 'prov-1', 'links', jsonb_build_array('https://example.com/a')))), 1,
  'a sent row settles');
select results_eq($$select status, provider_message_id, links from campaign_messages where email = 'ok@snd.test'$$,
  $$values ('sent'::text, 'prov-1'::text, array['https://example.com/a'])$$, 'with the provider id and its links');

-- Provider events ------------------------------------------------------------------------------------
select is(marketing.record_message_events('[{"key":"e1","providerMessageId":"prov-1","type":"delivered"},
                                             {"key":"e2","providerMessageId":"prov-1","type":"opened"}]'), 2,
  'provider events are recorded');
select is(marketing.record_message_events('[{"key":"e1","providerMessageId":"prov-1","type":"delivered"}]'), 0,
  'a redelivered event (same key) is ignored');
select isnt((select delivered_at from campaign_messages where email = 'ok@snd.test'), null, 'delivery is stamped');
select is(marketing.record_click((select message_id from claimed), 0, 'https://example.com/a'), 'https://example.com/a',
  'a click goes to the message''s own link');
select throws_ok($$select marketing.record_click((select message_id from claimed), 0, 'https://evil.example/')$$, 'PT404', null,
  'a target the sent message did not carry at that position is refused (no open redirect)');
select throws_ok($$select marketing.record_click(gen_random_uuid(), 0, 'https://example.com/a')$$, 'PT404', null,
  'a click for an unknown message is refused');
select is(marketing.record_message_events('[{"key":"e3","providerMessageId":"prov-1","type":"bounced_soft"}]'), 1,
  'a soft bounce is recorded');
select results_eq($$select status, soft_bounces from marketing.subscribers where email = 'ok@snd.test'$$,
  $$values ('enabled'::text, 1)$$, 'a soft bounce is counted and does not blocklist');
select marketing.record_message_events('[{"key":"e4","providerMessageId":"prov-1","type":"bounced_hard"}]');
select results_eq($$select status, blocklisted_reason, hard_bounced_at is not null from marketing.subscribers where email = 'ok@snd.test'$$,
  $$values ('blocklisted'::text, 'hard_bounce'::text, true)$$, 'one hard bounce blocklists');
select is((select count(*)::int from marketing.consent_log c join marketing.subscribers s on s.id = c.subscriber_id
           where s.email = 'ok@snd.test' and c.action = 'blocklist'), 1, 'and is logged');

-- Dead after max attempts.
insert into marketing.messages (subscriber_id, template_id, list_id, kind)
select s.id, t.id, l.id, 'transactional' from marketing.subscribers s, marketing.templates t, marketing.lists l
where s.email = 'snd-customer@test.local' and t.slug = 'snd-news' and l.slug = 'snd-list';
update marketing.messages set attempts = 5 where subscriber_id = (select id from marketing.subscribers where email = 'snd-customer@test.local') and kind = 'transactional' and template_id = (select id from marketing.templates where slug = 'snd-news');
create temporary table last_try as select * from marketing.claim_messages(100, 60);
select marketing.settle_messages(jsonb_build_array(jsonb_build_object('id', (select message_id from last_try), 'outcome', 'retry', 'error', 'HTTP 503')));
select is((select status from marketing.messages where id = (select message_id from last_try)), 'dead', 'the sixth failed attempt is final');

-- RLS ---------------------------------------------------------------------------------------------------
select tests.authenticate_as('snd_customer');
select is((select count(*)::int from marketing.messages), 1, 'a customer reads only messages sent to them');
select is_empty($$select * from marketing.templates$$, 'customers read no templates');
select throws_ok($$insert into marketing.templates (slug, name, subject, body_html, body_text) values ('c-t', 'x', 'x', 'x', 'x')$$,
  '42501', null, 'customers cannot create templates');
select tests.authenticate_as('snd_staff');
select results_eq($$insert into marketing.templates (slug, name, subject, body_html, body_text) values ('staff-t', 'x', 'x', 'x', 'x') returning slug$$,
  $$values ('staff-t'::text)$$, 'marketing staff create templates');
select results_eq($$update marketing.templates set name = 'Renamed' where slug = 'staff-t' returning name$$,
  $$values ('Renamed'::text)$$, 'and change them');
select tests.authenticate_as('snd_analyst');
select isnt_empty($$select * from marketing.message_events$$, 'analysts read message events');
select is_empty($$update marketing.templates set name = 'x' where slug = 'staff-t' returning 1$$, 'analysts change no templates');
select tests.authenticate_as('snd_sales');
select is_empty($$select * from marketing.messages$$, 'sales read no messages');
select tests.clear_authentication();

select * from finish();
rollback;
