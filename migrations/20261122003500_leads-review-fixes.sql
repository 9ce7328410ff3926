-- Review fixes for the leads module's outbox.
--
-- send_webhooks skips a row whose endpoint is inactive or whose Vault signing secret is missing, and
-- such a row stayed pending with an ever older next_attempt_at. The delivery job picks the 500 oldest
-- due rows, so once 500 of them had piled up every run picked only rows it could not send and no
-- retry went out again. Now the job settles them as dead in the same run, with the reason in
-- last_error (kept for inspection and manual replay, like any other dead row), and picks only rows
-- it can send.

create or replace function ops.deliver_outbound_webhooks() returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  settled bigint;
  abandoned bigint;
  sent bigint;
begin
  with outcome as (
    select w.id, w.attempts, e.max_attempts, r.status_code, r.error_msg, r.timed_out,
           (r.id is null) as unanswered
    from ops.outbound_webhooks w
    join ops.webhook_endpoints e on e.id = w.endpoint_id
    left join net._http_response r on r.id = w.net_request_id
    where w.status = 'sending'
      and (r.id is not null or w.sent_at < now() - make_interval(secs => e.timeout_ms / 1000.0 + 120))
    for update of w skip locked
  ), settled_rows as (
    update ops.outbound_webhooks w
    set status = case
          when o.status_code between 200 and 299 then 'delivered'
          when o.attempts >= o.max_attempts then 'dead'
          else 'pending' end,
        delivered_at = case when o.status_code between 200 and 299 then now() end,
        last_status_code = o.status_code,
        last_error = case
          when o.status_code between 200 and 299 then null
          when o.unanswered then 'no response recorded'
          else coalesce(o.error_msg, 'HTTP ' || o.status_code) end,
        next_attempt_at = now() + ops.webhook_backoff(o.attempts)
    from outcome o where w.id = o.id
    returning 1
  )
  select count(*) into settled from settled_rows;

  -- Only due rows: an endpoint switched back on (or a secret restored) before a row's next attempt
  -- still gets it. Rows of a deleted endpoint are gone with it (on delete cascade).
  with unsendable as (
    select w.id,
           case when not e.active then 'endpoint inactive' else 'signing secret missing' end as reason
    from ops.outbound_webhooks w
    join ops.webhook_endpoints e on e.id = w.endpoint_id
    where w.status = 'pending' and w.next_attempt_at <= now()
      and (not e.active or not exists (select 1 from vault.decrypted_secrets s where s.name = e.secret_name))
    for update of w skip locked
  ), abandoned_rows as (
    update ops.outbound_webhooks w
    set status = 'dead', last_error = u.reason
    from unsendable u where w.id = u.id
    returning 1
  )
  select count(*) into abandoned from abandoned_rows;

  -- The same conditions send_webhooks joins on, so every id picked here is one it will send.
  select ops.send_webhooks(array(
    select w.id from ops.outbound_webhooks w
    join ops.webhook_endpoints e on e.id = w.endpoint_id and e.active
    where w.status = 'pending' and w.next_attempt_at <= now()
      and exists (select 1 from vault.decrypted_secrets s where s.name = e.secret_name)
    order by w.next_attempt_at limit 500
  )) into sent;
  return settled + abandoned + sent;
end;
$$;
