-- Leads: the hot-lead feed, the published contract through which other modules (marketing's nurturing)
-- follow leads that became hot without reading leads' tables. It pages the history's status changes to
-- `hot` after a reader's cursor (tx, eventId), each with the lead's contact, ZIP, usage and consent as
-- they are now. Like commerce.order_feed, only events of transactions older than every transaction still
-- running are served (tx_id < xmin of the current snapshot), so a reader never skips an event that an
-- older, slower transaction commits after a newer one.

comment on column leads.events.tx_id is 'Id of the transaction that wrote the event (the hot-lead feed''s cursor).';
create index events_hot_feed_idx on leads.events (tx_id, id) where type = 'status_changed' and to_value = 'hot';

create or replace function leads.hot_feed(after_tx bigint default 0, after_event bigint default 0,
                                          max_rows int default 500)
returns table (
  tx bigint, event_id bigint, occurred_at timestamptz, lead_id uuid, kind text, status text, first_name text,
  email text, zip text, usage_kwh numeric, consent boolean
)
language plpgsql stable set search_path = '' as $$
begin
  if max_rows is null or max_rows not between 1 and 5000 then
    raise exception using errcode = 'PT422', hint = 'invalid_max_rows', message = 'max_rows is between 1 and 5000.';
  end if;
  return query
  select (e.tx_id::text)::bigint, e.id, e.occurred_at, l.id, l.kind, l.status, l.first_name, l.email, l.zip,
         l.usage_kwh, l.consent
  from leads.events e
  join leads.leads l on l.id = e.lead_id
  where e.type = 'status_changed' and e.to_value = 'hot'
    and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
    and (e.tx_id, e.id) > ((coalesce(after_tx, 0)::text)::xid8, coalesce(after_event, 0))
  order by e.tx_id, e.id
  limit max_rows;
end;
$$;
comment on function leads.hot_feed is
  'Service role: leads that became hot after the cursor (tx, eventId), oldest first, with contact, ZIP, usage and consent as they are now. Only final events are served, so a cursor never skips a late commit.';
revoke execute on function leads.hot_feed(bigint, bigint, int) from public, anon, authenticated;
grant execute on function leads.hot_feed(bigint, bigint, int) to service_role;
