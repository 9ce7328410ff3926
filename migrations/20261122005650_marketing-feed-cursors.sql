-- Marketing: how far each of its consumers has read another module's published feed (commerce.order_feed
-- today). Each consumer (order facts, coupons, ...) keeps its own row, so one lagging or failing consumer
-- never holds another back, and a consumer moves its cursor in the same transaction as what it applied.

create table private.marketing_feed_cursors (
  consumer text primary key check (consumer ~ '^[a-z][a-z0-9_-]{1,40}$'),
  tx bigint not null default 0 check (tx >= 0),
  event_id bigint not null default 0 check (event_id >= 0),
  updated_at timestamptz not null default now()
);
comment on table private.marketing_feed_cursors is 'How far each marketing consumer has read a published feed (commerce.order_feed): jobs only.';
comment on column private.marketing_feed_cursors.consumer is 'The consumer (e.g. orders, coupons).';
comment on column private.marketing_feed_cursors.tx is 'The feed cursor''s transaction part (order_feed after_tx).';
comment on column private.marketing_feed_cursors.event_id is 'The feed cursor''s event part (order_feed after_event).';
comment on column private.marketing_feed_cursors.updated_at is 'When the cursor last moved.';

-- In the private schema (never exposed through the Data API). The cron jobs that move cursors run as the
-- owner; admins may read them (how far behind a consumer is) from Studio or SQL, nobody else.
alter table private.marketing_feed_cursors enable row level security;
revoke all on private.marketing_feed_cursors from public, anon, authenticated, service_role;
create policy "admins read feed cursors" on private.marketing_feed_cursors for select to authenticated
  using ((select private.has_role('admin')));
grant select on private.marketing_feed_cursors to authenticated;
