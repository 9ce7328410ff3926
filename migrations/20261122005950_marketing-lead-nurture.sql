-- Marketing nurtures hot energy leads from the leads module's published feed (leads.hot_feed): a pg_cron
-- job pages it from this consumer's cursor (`hot-leads` in private.marketing_feed_cursors) and starts
-- marketing.nurture_hot_lead for each lead with an e-mail, which ranks the plans for the lead's ZIP and
-- usage through energy.compare_plans and needs the lead's consent. The cursor moves in the same
-- transaction; nurture_hot_lead is idempotent per lead, so a lead that becomes hot again starts nothing twice.

insert into private.marketing_feed_cursors (consumer) values ('hot-leads') on conflict (consumer) do nothing;

/*
  The hot-lead consumer (pg_cron, every minute): up to max_pages pages after the `hot-leads` cursor. One
  lead whose nurturing fails (a ZIP energy cannot rank, say) is logged and passed over, so it never holds
  the feed back; the others of the page still start. Returns what it did.
*/
create or replace function private.marketing_consume_hot_leads(page_size int default 200, max_pages int default 10)
returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  cursor_at private.marketing_feed_cursors;
  hot record;
  pages int := 0;
  leads_seen int := 0;
  started int := 0;
  failed int := 0;
  page_rows int;
  result jsonb;
begin
  insert into private.marketing_feed_cursors (consumer) values ('hot-leads') on conflict (consumer) do nothing;
  select * into cursor_at from private.marketing_feed_cursors c where c.consumer = 'hot-leads' for update;
  loop
    exit when pages >= max_pages;
    page_rows := 0;
    for hot in select * from leads.hot_feed(cursor_at.tx, cursor_at.event_id, page_size) loop
      page_rows := page_rows + 1;
      cursor_at.tx := hot.tx;
      cursor_at.event_id := hot.event_id;
      continue when hot.email is null or hot.status <> 'hot';
      leads_seen := leads_seen + 1;
      begin
        result := marketing.nurture_hot_lead(jsonb_strip_nulls(jsonb_build_object(
          'id', hot.lead_id, 'email', hot.email, 'firstName', hot.first_name, 'zip', hot.zip,
          'usageKwh', round(hot.usage_kwh)::int, 'consent', hot.consent)));
        started := started + coalesce((result ->> 'started')::int, 0);
      exception when others then
        failed := failed + 1;
        raise warning 'hot lead % not nurtured: %', hot.lead_id, sqlerrm;
      end;
    end loop;
    exit when page_rows = 0;
    update private.marketing_feed_cursors c set tx = cursor_at.tx, event_id = cursor_at.event_id, updated_at = now()
    where c.consumer = 'hot-leads';
    pages := pages + 1;
    exit when page_rows < page_size;
  end loop;
  return jsonb_build_object('rows', leads_seen, 'pages', pages, 'leads', leads_seen, 'started', started, 'failed', failed);
end;
$$;
revoke execute on function private.marketing_consume_hot_leads(int, int) from public;

select cron.schedule('marketing-hot-leads', '* * * * *',
  $$select private.run_job('marketing-hot-leads', 'select private.marketing_consume_hot_leads()')$$);
