-- Campaigns (lifecycle, editing locked once running, one message per subscriber however often the job
-- runs, pause and cancel, stats) and automations (idempotent runs, steps with delays and conditions).
begin;
select plan(28);

select tests.create_supabase_user('cmp_staff', 'cmp-staff@test.local', 'marketing');
select tests.create_supabase_user('cmp_analyst', 'cmp-analyst@test.local', 'analyst');
select tests.create_supabase_user('cmp_customer', 'cmp-customer@test.local');

insert into marketing.lists (slug, name, opt_in, consent_text) values ('cmp-list', 'Campaign list', 'single', 'I agree.');
select marketing.subscribe(format('c%s@cmp.test', n), 'cmp-list') from generate_series(1, 5) n;
select marketing.unsubscribe((select id from marketing.subscribers where email = 'c5@cmp.test'));
insert into marketing.templates (slug, name, subject, body_html, body_text) values ('cmp-t', 'T', 'Hi', '<p>Hi</p>', 'Hi');

select tests.authenticate_as('cmp_staff');
insert into marketing.campaigns (id, name, template_id, list_id)
select 'dddddddd-0000-4000-8000-000000000001', 'Spring', t.id, l.id from marketing.templates t, marketing.lists l
where t.slug = 'cmp-t' and l.slug = 'cmp-list';
select results_eq($$select status from marketing.campaigns where id = 'dddddddd-0000-4000-8000-000000000001'$$,
  $$values ('draft'::text)$$, 'marketing staff create a draft campaign');
select results_eq($$update marketing.campaigns set name = 'Spring sale' where id = 'dddddddd-0000-4000-8000-000000000001' returning name$$,
  $$values ('Spring sale'::text)$$, 'a draft can be edited');
select throws_ok($$update marketing.campaigns set status = 'finished' where id = 'dddddddd-0000-4000-8000-000000000001'$$,
  'PT409', 'A campaign cannot go from draft to finished.', 'the lifecycle refuses skipping states');
update marketing.campaigns set status = 'scheduled', send_at = now() - interval '1 second'
where id = 'dddddddd-0000-4000-8000-000000000001';
select tests.clear_authentication();

select cmp_ok(marketing.run_campaigns(), '>=', 5::bigint, 'the due campaign starts and queues its audience');
create temporary view spring as select * from marketing.messages where campaign_id = 'dddddddd-0000-4000-8000-000000000001';
select is((select count(*)::int from spring), 4, 'one message per confirmed subscriber (the unsubscribed one gets none)');
select is((select status from marketing.campaigns where id = 'dddddddd-0000-4000-8000-000000000001'), 'running', 'it is running');
select marketing.run_campaigns();
select is((select count(*)::int from spring), 4, 'a rerun of the job queues nothing twice');
select throws_ok($$update marketing.campaigns set name = 'Late edit' where id = 'dddddddd-0000-4000-8000-000000000001'$$,
  'PT409', 'A running campaign can no longer be edited.', 'a running campaign is no longer editable');

update marketing.campaigns set status = 'paused' where id = 'dddddddd-0000-4000-8000-000000000001';
select is((select count(*)::int from spring where next_attempt_at = 'infinity'), 4, 'pausing holds the queued mail');
update marketing.campaigns set status = 'running' where id = 'dddddddd-0000-4000-8000-000000000001';
select is((select count(*)::int from spring where next_attempt_at <= now()), 4, 'resuming releases it');

-- Send two, as the job would, and finish when nothing is left.
update marketing.messages set next_attempt_at = 'infinity' where status = 'queued' and campaign_id is distinct from 'dddddddd-0000-4000-8000-000000000001';
create temporary table batch as select * from marketing.claim_messages(10, 60);
select is((select count(*)::int from batch), 4, 'the send job claims the campaign''s messages');
select marketing.settle_messages((select jsonb_agg(jsonb_build_object('id', message_id, 'outcome', 'sent',
  'providerMessageId', 'cmp-' || message_id)) from batch));
select marketing.record_message_events((select jsonb_agg(jsonb_build_object('key', 'd-' || message_id, 'messageId', message_id, 'type', 'delivered')) from batch));
select marketing.record_message_events((select jsonb_agg(jsonb_build_object('key', 'o-' || message_id, 'messageId', message_id, 'type', 'opened')) from (select * from batch limit 2) b));
select marketing.record_message_events((select jsonb_agg(jsonb_build_object('key', 'k' || n || '-' || message_id, 'messageId', message_id, 'type', 'clicked'))
                                        from (select * from batch limit 1) b, generate_series(1, 3) n));
select marketing.record_message_events((select jsonb_agg(jsonb_build_object('key', 'u-' || message_id, 'messageId', message_id, 'type', 'unsubscribed')) from (select * from batch limit 1) b));
select marketing.run_campaigns();
select is((select status from marketing.campaigns where id = 'dddddddd-0000-4000-8000-000000000001'), 'finished',
  'a campaign with nothing left to send finishes');

select tests.authenticate_as('cmp_analyst');
select is(marketing.campaign_stats('dddddddd-0000-4000-8000-000000000001') -
          array['campaignId', 'status'],
  '{"queued":0,"sent":4,"suppressed":0,"failed":0,"delivered":4,"uniqueOpens":2,"uniqueClicks":1,"bounces":0,"unsubscribes":1}'::jsonb,
  'analysts read per-campaign stats: sent, delivered, unique opens and clicks, unsubscribes, bounces');
select is_empty($$update marketing.campaigns set name = 'x' returning 1$$, 'analysts cannot change campaigns');
select tests.authenticate_as('cmp_customer');
select throws_ok($$select marketing.campaign_stats('dddddddd-0000-4000-8000-000000000001')$$, 'PT403', null,
  'customers read no campaign stats');
select is_empty($$select * from marketing.campaigns$$, 'customers see no campaigns');
select tests.clear_authentication();

-- Cancel holds nothing back for later.
insert into marketing.campaigns (id, name, template_id, list_id, status, send_at)
select 'dddddddd-0000-4000-8000-000000000002', 'Cancelled', t.id, l.id, 'draft', null
from marketing.templates t, marketing.lists l where t.slug = 'cmp-t' and l.slug = 'cmp-list';
update marketing.campaigns set status = 'scheduled', send_at = now() where id = 'dddddddd-0000-4000-8000-000000000002';
select marketing.run_campaigns();
update marketing.campaigns set status = 'cancelled' where id = 'dddddddd-0000-4000-8000-000000000002';
select is((select count(*)::int from marketing.messages where campaign_id = 'dddddddd-0000-4000-8000-000000000002' and status = 'suppressed'),
  4, 'cancelling a running campaign withdraws its queued mail');

-- Automations -----------------------------------------------------------------------------------------
-- Only this test's series answers order.placed here (the built-in order confirmation rests).
update marketing.automations set active = false where trigger = 'order.placed';
insert into marketing.automations (id, slug, name, trigger, list_id)
select 'eeeeeeee-0000-4000-8000-000000000001', 'cmp-series', 'Series', 'order.placed', l.id from marketing.lists l where l.slug = 'cmp-list';
insert into marketing.automation_steps (automation_id, position, delay, template_id, condition)
select 'eeeeeeee-0000-4000-8000-000000000001', s.position, s.delay::interval, t.id, s.condition::jsonb
from (values (0, '0 seconds', null), (1, '2 days', '{"field":"total","op":"gte","value":100}'), (2, '1 day', null)) s(position, delay, condition),
     marketing.templates t where t.slug = 'cmp-t';

create temporary table c1 as select id from marketing.subscribers where email = 'c1@cmp.test';
select is(marketing.trigger_automations('order.placed', (select id from c1), 'order:1', '{"total":40}'), 1, 'a trigger starts a run');
select is(marketing.trigger_automations('order.placed', (select id from c1), 'order:1', '{"total":40}'), 0,
  'the same trigger event starts nothing again (idempotent per automation, subject and event)');
select is(marketing.trigger_automations('order.placed', (select id from c1), 'order:2', '{"total":250}'), 1, 'another event is another run');
-- The built-in welcome series is bound to the newsletter: joining another list starts none of it.
select is(marketing.trigger_automations('subscription.confirmed', (select id from c1), 'subscription:cmp-list',
  (select jsonb_build_object('listId', id) from marketing.lists where slug = 'cmp-list')), 0,
  'a list-bound automation does not start for an event of another list');
select is(marketing.trigger_automations('subscription.confirmed', (select id from c1), 'subscription:newsletter',
  (select jsonb_build_object('listId', id) from marketing.lists where slug = 'newsletter')), 1,
  'it starts for an event of its own list');
create temporary view runs as select r.* from marketing.automation_runs r where r.automation_id = 'eeeeeeee-0000-4000-8000-000000000001';
select cmp_ok(marketing.advance_automations(), '>=', 2::bigint, 'the job advances due runs');
select is((select count(*)::int from marketing.messages where automation_run_id in (select id from runs)), 2, 'queuing one message each');
select is((select count(*)::int from runs where next_position = 1 and next_at > now() + interval '47 hours'), 2,
  'and wait two days for the next step');
update marketing.automation_runs set next_at = now() - interval '1 second' where id in (select id from runs);
select marketing.advance_automations();
select results_eq($$select r.trigger_event, count(m.id)::int from runs r left join marketing.messages m on m.automation_run_id = r.id group by 1 order by 1$$,
  $$values ('order:1'::text, 1), ('order:2', 2)$$, 'a step whose condition fails is skipped (the 40 order), the other runs it');
update marketing.automation_runs set next_at = now() - interval '1 second' where id in (select id from runs);
select marketing.advance_automations();
select is((select count(*)::int from runs where status = 'finished'), 2, 'after the last step the runs finish');
select marketing.advance_automations();
select is((select count(*)::int from marketing.messages where automation_run_id in (select id from runs)), 5,
  'a rerun of the job queues nothing more');

select * from finish();
rollback;
