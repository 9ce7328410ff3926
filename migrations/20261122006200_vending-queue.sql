-- Vending: the queue worker's side. Leases (one worker per lane), claims (for update skip locked,
-- visibility timeout), settling outcomes (set-based, with refunds and alerts), the pause a 422 sets,
-- recovery (stuck vends, needs_attention, batch recounts, orphans) and the pg_cron jobs.
--
-- The rule: a claimed submit marks the vend `submitted` before the worker calls POST /vend, and a
-- `submitted` or `pending` vend is only ever requeried with its own orderId. Only a requery that
-- says the vendor never saw the order (203, or 404 code 20) sends the same orderId again.

-- Takes or renews the lease of a lane for `ttl`; false when another worker holds it.
create or replace function private.vending_take_lease(lane text, worker_id text, ttl interval) returns boolean
language sql volatile security definer set search_path = '' as $$
  with taken as (
    insert into vending.worker_leases as l (lane, worker_id, lease_until)
    values (vending_take_lease.lane, vending_take_lease.worker_id, now() + ttl)
    on conflict (lane) do update set worker_id = excluded.worker_id, lease_until = excluded.lease_until
      where l.lease_until < now() or l.worker_id = excluded.worker_id
    returning 1
  )
  select exists (select 1 from taken)
$$;

create or replace function private.vending_release_lease(lane text, worker_id text) returns void
language sql volatile security definer set search_path = '' as $$
  delete from vending.worker_leases l where l.lane = vending_release_lease.lane and l.worker_id = vending_release_lease.worker_id
$$;

-- Claims up to `max_items` due rows of a lane (or the given vends), invisible to others for
-- `visibility`. Submits are marked `submitted` in the same statement, before any call leaves. While
-- the queue is paused (wallet empty) only requeries are claimed: they cost nothing.
create or replace function private.vending_claim(
  lane text, max_items int, visibility interval, only_vends uuid[] default null
) returns table (
  vend_id uuid, order_id text, action text, attempts int, requery_delays numeric[], requeries int,
  disco_code text, meter_number text, vend_type text, amount_kobo bigint, phone text, email text, name text,
  created_at timestamptz
)
language plpgsql volatile security definer set search_path = '' as $$
declare
  is_paused boolean := (select s.paused from vending.vendor_state s);
begin
  -- Two statements, so the lane's claim walks the (lane, available_at) index in order.
  if only_vends is null then
    return query
    with due as (
      select q.vend_id, v.status from vending.vend_queue q join vending.vends v on v.id = q.vend_id
      where q.lane = vending_claim.lane and q.available_at <= now()
        and (q.locked_until is null or q.locked_until <= now())
        and (q.action = 'requery' or not is_paused)
      order by q.available_at
      limit max_items
      for update of q skip locked
    ), claimed as (
      -- A submit whose vend is already `submitted` was claimed by a worker that died before settling:
      -- the call may have reached BuyPower, so it is requeried, never posted again.
      update vending.vend_queue q set locked_until = now() + visibility, attempts = q.attempts + 1,
        action = case when q.action = 'submit' and due.status = 'submitted' then 'requery' else q.action end
      from due where q.vend_id = due.vend_id
      returning q.vend_id, q.action, q.attempts, q.requery_delays
    ), marked as (
      update vending.vends v set
        status = case when c.action = 'submit' and v.status = 'created' then 'submitted' else v.status end,
        submitted_at = case when c.action = 'submit' then now() else v.submitted_at end,
        updated_at = now()
      from claimed c where v.id = c.vend_id
      returning v.id, v.order_id, c.action, c.attempts, c.requery_delays, v.requeries, v.disco_code, v.meter_number,
                v.vend_type, v.amount_kobo, v.phone, v.email, v.name, v.created_at
    )
    select * from marked;
  else
    return query
    with due as (
      select q.vend_id, v.status from vending.vend_queue q join vending.vends v on v.id = q.vend_id
      where q.vend_id = any (only_vends)
        and (q.locked_until is null or q.locked_until <= now())
        and (q.action = 'requery' or not is_paused)
      for update of q skip locked
    ), claimed as (
      -- A submit whose vend is already `submitted` was claimed by a worker that died before settling:
      -- the call may have reached BuyPower, so it is requeried, never posted again.
      update vending.vend_queue q set locked_until = now() + visibility, attempts = q.attempts + 1,
        action = case when q.action = 'submit' and due.status = 'submitted' then 'requery' else q.action end
      from due where q.vend_id = due.vend_id
      returning q.vend_id, q.action, q.attempts, q.requery_delays
    ), marked as (
      update vending.vends v set
        status = case when c.action = 'submit' and v.status = 'created' then 'submitted' else v.status end,
        submitted_at = case when c.action = 'submit' then now() else v.submitted_at end,
        updated_at = now()
      from claimed c where v.id = c.vend_id
      returning v.id, v.order_id, c.action, c.attempts, c.requery_delays, v.requeries, v.disco_code, v.meter_number,
                v.vend_type, v.amount_kobo, v.phone, v.email, v.name, v.created_at
    )
    select * from marked;
  end if;
end;
$$;

-- Raises an operator alert once per open condition, and tells the operators' private topic.
create or replace function private.vending_alert(kind text, message text, details jsonb) returns void
language plpgsql volatile security definer set search_path = '' as $$
begin
  if kind = 'insufficient_balance' and exists (
    select 1 from vending.alerts a where a.kind = 'insufficient_balance' and a.acknowledged_at is null
  ) then
    return;
  end if;
  insert into vending.alerts (kind, message, details) values (kind, message, details);
  perform realtime.send(jsonb_build_object('kind', kind, 'message', message, 'details', details),
                        'vending_alert', 'vending:operators', true);
end;
$$;

-- A 422 from POST /vend: the operator's wallet is empty. Nothing more is submitted until an operator
-- resumes; vends stay queued.
create or replace function private.vending_pause(reason text) returns void
language plpgsql volatile security definer set search_path = '' as $$
begin
  update vending.vendor_state set paused = true, paused_reason = reason, paused_at = coalesce(paused_at, now()),
    updated_at = now();
  perform private.vending_alert('insufficient_balance', 'The BuyPower wallet cannot cover vends; the queue is paused.',
                                jsonb_build_object('reason', reason));
end;
$$;

-- Settles what the worker learned, for many vends at once:
--   succeeded        token and receipt stored, off the queue
--   failed           final, refunded (the account, or the Paystack payment through commerce), off the queue
--   pending          outcome unknown: requery at availableAt
--   resubmit         the vendor never took it (503, 422, never initiated): submit the same orderId again
--   released         never sent (breaker open): back to the queue as it was
--   needs_attention  unknown for too long: a person decides, off the queue
-- Every vendor call made is recorded. A vend already final is never changed again.
-- The outcomes a worker hands over, one row each (read by every statement of vending_settle).
create or replace function private.vending_outcomes(outcomes jsonb) returns table (
  vend_id uuid, outcome text, available_at timestamptz, requery_delays numeric[], token text, units numeric,
  vend_ref text, receipt_no text, amount_generated_kobo bigint, tax_kobo bigint, parcels jsonb, vendor_code int,
  vendor_message text, error text, posts int, requeries int
)
-- A worker's group is a handful of outcomes: the estimate keeps the planner on index lookups of
-- vends and the queue instead of scanning them (its default guess for a set function is 1,000 rows).
language sql immutable rows 20 set search_path = '' as $$
  select o."vendId", o.outcome, o."availableAt",
         case when jsonb_typeof(o."requeryDelays") = 'array'
              then array(select jsonb_array_elements_text(o."requeryDelays"))::numeric[] else '{}' end,
         o.token, o.units, o."vendRef", o."receiptNo", o."amountGeneratedKobo", o."taxKobo", o.parcels,
         o."vendorCode", o."vendorMessage", o.error,
         (select count(*) from jsonb_array_elements(coalesce(o.calls, '[]')) c where c ->> 'endpoint' = 'POST /vend')::int,
         (select count(*) from jsonb_array_elements(coalesce(o.calls, '[]')) c where c ->> 'endpoint' = 'GET /transaction')::int
  from jsonb_to_recordset(outcomes) as o(
    "vendId" uuid, outcome text, "availableAt" timestamptz, "requeryDelays" jsonb, token text, units numeric,
    "vendRef" text, "receiptNo" text, "amountGeneratedKobo" bigint, "taxKobo" bigint, parcels jsonb,
    "vendorCode" int, "vendorMessage" text, error text, calls jsonb)
  where o."vendId" is not null
$$;

create or replace function private.vending_settle(outcomes jsonb) returns int
language plpgsql volatile security definer set search_path = '' as $$
declare
  changed int;
  failed_ids uuid[];
begin
  insert into vending.vendor_calls (vend_id, endpoint, http_status, response_code, latency_ms, signature_valid,
                                    outcome, summary, called_at)
  select (o ->> 'vendId')::uuid, c.endpoint, c."httpStatus", c."responseCode", c."latencyMs", c."signatureValid",
         c.outcome, coalesce(c.summary, '{}'::jsonb), coalesce(c."calledAt", now())
  from jsonb_array_elements(outcomes) o
  cross join lateral jsonb_to_recordset(coalesce(o -> 'calls', '[]'::jsonb)) as c(
    endpoint text, "httpStatus" int, "responseCode" int, "latencyMs" int, "signatureValid" boolean, outcome text,
    summary jsonb, "calledAt" timestamptz);

  update vending.vends v set
    status = case s.outcome
      when 'succeeded' then 'succeeded' when 'failed' then 'failed' when 'pending' then 'pending'
      when 'needs_attention' then 'needs_attention' when 'resubmit' then 'created'
      else case when v.status = 'submitted' and s.posts = 0 and q.action = 'submit' then 'created' else v.status end
    end,
    token = case when s.outcome = 'succeeded' then s.token end,
    units = coalesce(s.units, v.units),
    vend_ref = coalesce(s.vend_ref, v.vend_ref),
    receipt_no = coalesce(s.receipt_no, v.receipt_no),
    amount_generated_kobo = coalesce(s.amount_generated_kobo, v.amount_generated_kobo),
    tax_kobo = coalesce(s.tax_kobo, v.tax_kobo),
    parcels = coalesce(s.parcels, v.parcels),
    vendor_code = coalesce(s.vendor_code, v.vendor_code),
    vendor_message = coalesce(s.vendor_message, v.vendor_message),
    submissions = v.submissions + s.posts,
    requeries = v.requeries + s.requeries,
    next_requery_at = case when s.outcome = 'pending' then s.available_at end,
    finalized_at = case when s.outcome in ('succeeded', 'failed', 'needs_attention') then now() end,
    updated_at = now()
  from private.vending_outcomes(outcomes) s left join vending.vend_queue q on q.vend_id = s.vend_id
  where v.id = s.vend_id and v.status in ('created', 'submitted', 'pending');
  get diagnostics changed = row_count;

  delete from vending.vend_queue q using private.vending_outcomes(outcomes) s
  where q.vend_id = s.vend_id
    and (s.outcome in ('succeeded', 'failed', 'needs_attention')
         or exists (select 1 from vending.vends v where v.id = q.vend_id
                    and v.status in ('succeeded', 'failed', 'needs_attention')));
  update vending.vend_queue q set
    action = case s.outcome when 'pending' then 'requery' when 'resubmit' then 'submit' else q.action end,
    available_at = coalesce(s.available_at, now()),
    requery_delays = case when s.outcome = 'pending' and cardinality(s.requery_delays) > 0 then s.requery_delays
                          else q.requery_delays end,
    locked_until = null,
    last_error = s.error
  from private.vending_outcomes(outcomes) s where q.vend_id = s.vend_id;

  select coalesce(array_agg(s.vend_id), '{}') into failed_ids
  from private.vending_outcomes(outcomes) s where s.outcome = 'failed';
  if cardinality(failed_ids) > 0 then
    perform private.vending_refund(failed_ids);
    perform private.vending_refund_payments(failed_ids);
  end if;
  insert into vending.alerts (kind, message, details)
  select 'needs_attention', 'A vend stayed unknown; check it with BuyPower before refunding or resending.',
         jsonb_build_object('vendId', s.vend_id, 'error', s.error)
  from private.vending_outcomes(outcomes) s where s.outcome = 'needs_attention';
  -- A vend whose answers never verified also tells the operators' topic (its token was not delivered).
  perform private.vending_alert('signature_invalid',
    'BuyPower answers for a vend never verified; its token was not delivered.', jsonb_build_object('vendId', s.vend_id))
  from private.vending_outcomes(outcomes) s
  where s.outcome = 'needs_attention' and s.error like 'signature\_invalid%';
  return changed;
end;
$$;

-- What the worker saw of the vendor, for /health/status (the breaker lives in the worker's isolate).
create or replace function private.vending_record_vendor_state(breaker_state text, last_latency_ms int) returns void
language sql volatile security definer set search_path = '' as $$
  update vending.vendor_state set breaker_state = vending_record_vendor_state.breaker_state,
    last_latency_ms = coalesce(vending_record_vendor_state.last_latency_ms, vendor_state.last_latency_ms),
    last_call_at = case when vending_record_vendor_state.last_latency_ms is null then last_call_at else now() end,
    updated_at = now()
$$;

-- Wakes the pipeline's worker through pg_net when a lane has due work and nobody holds its lease.
create or replace function private.vending_wake_worker() returns bigint
language plpgsql volatile security definer set search_path = '' as $$
begin
  if exists (
    select 1 from vending.vend_queue q
    where q.lane = 'default' and q.available_at <= now() and (q.locked_until is null or q.locked_until <= now())
  ) and not exists (
    select 1 from vending.worker_leases l where l.lane = 'default' and l.lease_until > now()
  ) then
    perform private.invoke_function('pipeline/vending-process', '{}'::jsonb, 60000);
    return 1;
  end if;
  return 0;
end;
$$;

-- Recovery: the repair pg_cron runs every minute. Returns the rows it touched.
--  * vends in flight that lost their queue row get one back (submitted/pending: a requery);
--  * submitted/pending vends not heard of since `stuck_after` are due for a requery now;
--  * vends unknown past `attention_after` go to needs_attention, for a person;
--  * queue rows of final vends (orphans) are removed (idempotency keys are the kernel's, pruned by it);
--  * counts of unfinished or recently changed batches are recomputed from their items.
create or replace function private.vending_recover(
  stuck_after interval default interval '10 minutes', attention_after interval default interval '24 hours'
) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  requeued bigint;
  stuck bigint;
  attention bigint;
  orphans bigint;
  recounted bigint;
begin
  insert into vending.vend_queue (vend_id, action)
  select v.id, case when v.status = 'created' then 'submit' else 'requery' end
  from vending.vends v
  where v.status in ('created', 'submitted', 'pending')
    and not exists (select 1 from vending.vend_queue q where q.vend_id = v.id);
  get diagnostics requeued = row_count;

  update vending.vend_queue q set available_at = now()
  from vending.vends v
  where v.id = q.vend_id and v.status in ('submitted', 'pending') and v.updated_at < now() - stuck_after
    and q.available_at > now() and (q.locked_until is null or q.locked_until <= now());
  get diagnostics stuck = row_count;

  with overdue as (
    select v.id from vending.vends v
    where v.status in ('submitted', 'pending') and coalesce(v.submitted_at, v.created_at) < now() - attention_after
  )
  select coalesce(count(*), 0) into attention from overdue;
  if attention > 0 then
    perform private.vending_settle((
      select jsonb_agg(jsonb_build_object('vendId', v.id, 'outcome', 'needs_attention',
                                          'error', 'outcome unknown past ' || attention_after::text))
      from vending.vends v
      where v.status in ('submitted', 'pending') and coalesce(v.submitted_at, v.created_at) < now() - attention_after));
  end if;

  delete from vending.vend_queue q using vending.vends v
  where v.id = q.vend_id and v.status in ('succeeded', 'failed', 'needs_attention');
  get diagnostics orphans = row_count;


  select private.vending_recount_batches(array(
    select b.id from vending.batches b
    where b.status = 'processing' or b.completed_at > now() - interval '1 hour'
  )) into recounted;

  return requeued + stuck + attention + orphans + recounted;
end;
$$;

select cron.schedule('vending-recover', '* * * * *',
  $$select private.run_job('vending-recover', 'select private.vending_recover() + private.vending_wake_worker()')$$);
-- DISCO status and the wallet balance come from the vendor: the pipeline job asks it.
create or replace function private.vending_request_vendor_refresh() returns bigint
language sql volatile security definer set search_path = '' as $$
  select private.invoke_function('pipeline/vending-refresh', '{}'::jsonb, 30000)
$$;
select cron.schedule('vending-refresh', '*/5 * * * *',
  $$select private.run_job('vending-refresh', 'select private.vending_request_vendor_refresh()')$$);
