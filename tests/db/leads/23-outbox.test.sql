-- The ops outbox: hot leads enqueue a signed CRM webhook (only for subscribed endpoints) and a
-- realtime broadcast; pg_net responses settle deliveries; failures retry with backoff until dead.
begin;
select plan(30);

select vault.create_secret('outbox-test-secret', 'outbox_test_crm', 'CRM signing secret for the outbox test');
insert into ops.webhook_endpoints (name, url, secret_name, event_types, max_attempts)
values ('outbox-test-crm', 'http://127.0.0.1:9/crm/hooks', 'outbox_test_crm', array['lead.hot'], 3),
       ('outbox-test-other', 'http://127.0.0.1:9/other', 'outbox_test_crm', array['order.paid'], 3);

create temporary table hot as
select (leads.capture('{"kind":"business","email":"hot@outbox.test","phone":"+12145550177","companyName":"Hot Co",
  "industry":"chemicals","companySize":900,"formType":"quote","latitude":29.7,"longitude":-95.4}') ->> 'id')::uuid as id;
create temporary table cold as
select (leads.capture('{"kind":"consumer","email":"cold@outbox.test","consent":true}') ->> 'id')::uuid as id;

create temporary view hooks as
select w.* from ops.outbound_webhooks w join ops.webhook_endpoints e on e.id = w.endpoint_id
where e.name like 'outbox-test-%';

select is((select count(*)::int from hooks), 1, 'one webhook is queued for the hot lead');
select is((select e.name from hooks h join ops.webhook_endpoints e on e.id = h.endpoint_id), 'outbox-test-crm',
  'only the endpoint subscribed to lead.hot gets it');
select is((select (payload #>> '{lead,id}')::uuid from hooks), (select id from hot), 'the payload names the lead');
select is((select payload ->> 'type' from hooks), 'lead.hot', 'the payload carries the event type');
select is((select status from hooks), 'sending', 'the first attempt goes out with the transaction');
select is((select attempts from hooks), 1, 'and is counted');
select ok(not exists (select 1 from hooks where (payload #>> '{lead,id}')::uuid = (select id from cold)),
  'cold leads do not notify the CRM');

-- The request handed to pg_net: right URL, signature over "<t>.<raw body>" with the Vault secret.
create temporary table request as
select q.* from net.http_request_queue q where q.id = (select net_request_id from hooks);
select is((select url from request), 'http://127.0.0.1:9/crm/hooks', 'the request goes to the endpoint URL');
select is((select headers ->> 'X-Powerbase-Event-Id' from request), (select event_id::text from hooks),
  'the event id lets the receiver de-duplicate retries');
select is(
  (select headers ->> 'X-Powerbase-Signature' from request),
  (select 't=' || t || ',v1=' || encode(extensions.hmac(t || '.' || convert_from(r.body, 'UTF8'), 'outbox-test-secret', 'sha256'), 'hex')
   from request r, lateral (select substring(r.headers ->> 'X-Powerbase-Signature' from '^t=(\d+),') as t) stamp),
  'the signature is HMAC-SHA256 of "<t>.<body>" with the endpoint''s Vault secret');
select ok((select headers ->> 'X-Powerbase-Signature' from request) !~ 'outbox-test-secret', 'the secret itself is never sent');

-- The live dashboard hears about it too.
select ok(exists (select 1 from realtime.messages where topic = 'leads:dashboard' and event = 'lead_hot'
                  and (payload ->> 'id')::uuid = (select id from hot)), 'a realtime broadcast announces the hot lead');

-- A 500 answer: back to pending with backoff.
insert into net._http_response (id, status_code, content) values ((select net_request_id from hooks), 500, 'boom');
select is(ops.deliver_outbound_webhooks(), 1::bigint, 'the delivery job settles the one answered row and sends nothing early');
select is((select status from hooks), 'pending', 'a failed attempt is retried later');
select is((select last_status_code from hooks), 500, 'with the status it got');
select is((select next_attempt_at - now() from hooks), interval '30 seconds', 'after a 30 second backoff');
select is(ops.webhook_backoff(20), interval '1 hour', 'backoff is capped at an hour');

-- Due again: a second attempt, then a 200 settles it as delivered.
update ops.outbound_webhooks set next_attempt_at = now() - interval '1 second' where id = (select id from hooks);
select ops.deliver_outbound_webhooks();
select is((select attempts from hooks), 2, 'the retry is sent when due');
insert into net._http_response (id, status_code, content) values ((select net_request_id from hooks), 200, 'ok');
select ops.deliver_outbound_webhooks();
select is((select status from hooks), 'delivered', 'a 2xx answer marks the webhook delivered');
select isnt((select delivered_at from hooks), null, 'with its delivery time');

-- An endpoint that keeps failing: dead after max_attempts (3).
select ops.enqueue_webhooks('lead.hot', array['{"type":"lead.hot","probe":true}'::jsonb]);
create temporary table probe as select id from ops.outbound_webhooks where payload ->> 'probe' = 'true';
insert into net._http_response (id, status_code)
select net_request_id, 503 from ops.outbound_webhooks where id = (select id from probe);
select ops.deliver_outbound_webhooks();
update ops.outbound_webhooks set next_attempt_at = now() - interval '1 second' where id = (select id from probe);
select ops.deliver_outbound_webhooks();
insert into net._http_response (id, timed_out, error_msg)
select net_request_id, true, 'Timeout of 5000 ms reached' from ops.outbound_webhooks where id = (select id from probe);
select ops.deliver_outbound_webhooks();
update ops.outbound_webhooks set next_attempt_at = now() - interval '1 second' where id = (select id from probe);
select ops.deliver_outbound_webhooks();
insert into net._http_response (id, status_code)
select net_request_id, 502 from ops.outbound_webhooks where id = (select id from probe);
select ops.deliver_outbound_webhooks();
select is((select status from ops.outbound_webhooks where id = (select id from probe)), 'dead',
  'after max_attempts failures the webhook is dead');
select is((select attempts from ops.outbound_webhooks where id = (select id from probe)), 3, 'after exactly three attempts');

-- Rows that cannot be sent (endpoint switched off, signing secret gone) once stayed pending and filled
-- the job's 500-oldest batch, so a sendable retry behind 500 of them never went out again.
insert into ops.webhook_endpoints (name, url, secret_name, event_types, active)
values ('starve-test-off', 'http://127.0.0.1:9/off', 'outbox_test_crm', array['lead.hot'], false),
       ('starve-test-nosecret', 'http://127.0.0.1:9/nosecret', 'starve_test_no_such_secret', array['lead.hot'], true),
       ('starve-test-live', 'http://127.0.0.1:9/live', 'outbox_test_crm', array['lead.hot'], true);
insert into ops.outbound_webhooks (endpoint_id, event_type, payload, next_attempt_at)
select e.id, 'lead.hot', jsonb_build_object('starve', e.name, 'n', n), now() - interval '1 hour' - n * interval '1 second'
from ops.webhook_endpoints e
cross join generate_series(1, case e.name when 'starve-test-off' then 300 else 250 end) as n
where e.name in ('starve-test-off', 'starve-test-nosecret');
insert into ops.outbound_webhooks (endpoint_id, event_type, payload, next_attempt_at)
select id, 'lead.hot', '{"starve":"not-due"}', now() + interval '10 minutes'
from ops.webhook_endpoints where name = 'starve-test-off';
insert into ops.outbound_webhooks (endpoint_id, event_type, payload, next_attempt_at)
select id, 'lead.hot', '{"starve":"starve-test-live"}', now() - interval '1 second'
from ops.webhook_endpoints where name = 'starve-test-live';
create temporary view starve as
select w.*, e.name as endpoint from ops.outbound_webhooks w join ops.webhook_endpoints e on e.id = w.endpoint_id
where e.name like 'starve-test-%';

select ops.deliver_outbound_webhooks();
select is((select status from starve where endpoint = 'starve-test-live'), 'sending',
  'a sendable due row goes out though 550 older due rows cannot be sent');
select is(
  (select array_agg(distinct status || ': ' || last_error) from starve where endpoint = 'starve-test-off' and payload ? 'n'),
  array['dead: endpoint inactive'],
  'due rows of an inactive endpoint end dead, with the reason');
select is(
  (select array_agg(distinct status || ': ' || last_error) from starve where endpoint = 'starve-test-nosecret'),
  array['dead: signing secret missing'],
  'due rows whose signing secret is missing end dead, with the reason');
select is((select count(*)::int from starve where status = 'dead'), 550, 'all 550 in the same run');
select is((select count(*)::int from starve where status = 'dead' and net_request_id is not null), 0,
  'without a request for any of them');
select is((select status from starve where payload ->> 'starve' = 'not-due'), 'pending',
  'a row not yet due waits: its endpoint may be switched back on before then');

-- Access: admins read the outbox, sales do not.
select tests.create_supabase_user('outbox_admin', null, 'admin');
select tests.create_supabase_user('outbox_sales', null, 'sales');
select tests.authenticate_as('outbox_sales');
select is_empty($$select id from ops.outbound_webhooks$$, 'sales cannot read the outbox');
select tests.authenticate_as('outbox_admin');
select isnt_empty($$select id from ops.outbound_webhooks$$, 'admins read the outbox');

select * from finish();
rollback;
