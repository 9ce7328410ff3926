-- Vending: the life of a vend. Funding (account debit or a Paystack payment, refund on final failure), creation, batch
-- items, the batch counters and their realtime progress, and the operator RPCs (top-up, resume,
-- counts). The queue worker's side (claim, settle, recovery) is in vending-queue.

-- Batch counters: one statement-level trigger moves the per-status counts of every batch touched by a
-- statement's status changes (the upload sets them from the items when it closes), completes batches with nothing left in flight, and
-- broadcasts progress on the batch's private topic about every 1 % and at completion.
create or replace function private.vending_count_batch_items() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  progress record;
begin
  with moves as (
    select n.batch_id, n.status, 1 as delta from new_rows n where n.batch_id is not null
    union all
    select o.batch_id, o.status, -1 from old_rows o where o.batch_id is not null
  ), per_batch as (
    select batch_id,
           sum(delta) filter (where status = 'created') as created,
           sum(delta) filter (where status = 'submitted') as submitted,
           sum(delta) filter (where status = 'pending') as pending,
           sum(delta) filter (where status = 'succeeded') as succeeded,
           sum(delta) filter (where status = 'failed') as failed,
           sum(delta) filter (where status = 'needs_attention') as attention
    from moves group by batch_id
  )
  update vending.batches b set
    created_count = b.created_count + coalesce(p.created, 0),
    submitted_count = b.submitted_count + coalesce(p.submitted, 0),
    pending_count = b.pending_count + coalesce(p.pending, 0),
    succeeded_count = b.succeeded_count + coalesce(p.succeeded, 0),
    failed_count = b.failed_count + coalesce(p.failed, 0),
    attention_count = b.attention_count + coalesce(p.attention, 0)
  from per_batch p where b.id = p.batch_id;

  for progress in
      select b.id, b.accepted_count, b.succeeded_count, b.failed_count, b.attention_count,
             b.created_count + b.submitted_count + b.pending_count as in_flight,
             (select count(*) from old_rows o join new_rows n on n.id = o.id
               where o.batch_id = b.id and o.status in ('created', 'submitted', 'pending')
                 and n.status in ('succeeded', 'failed', 'needs_attention')) as settled_now
      from vending.batches b
      where b.id in (select n.batch_id from new_rows n where n.batch_id is not null) and b.status = 'processing'
    loop
      continue when progress.settled_now = 0;
      if progress.in_flight = 0 then
        update vending.batches set status = 'completed', completed_at = now() where id = progress.id;
      end if;
      -- Crossing a 1 % step (or finishing) is worth a message; every single row is not.
      if progress.in_flight = 0 or
         (progress.succeeded_count + progress.failed_count + progress.attention_count)
           / greatest(progress.accepted_count / 100, 1)
         <> (progress.succeeded_count + progress.failed_count + progress.attention_count - progress.settled_now)
           / greatest(progress.accepted_count / 100, 1) then
        perform realtime.send(
          jsonb_build_object('batchId', progress.id, 'accepted', progress.accepted_count,
                             'succeeded', progress.succeeded_count, 'failed', progress.failed_count,
                             'needsAttention', progress.attention_count, 'inFlight', progress.in_flight,
                             'status', case when progress.in_flight = 0 then 'completed' else 'processing' end),
          'batch_progress', 'vending:batch:' || progress.id, true);
      end if;
  end loop;
  return null;
end;
$$;

create trigger vends_count_batch_updates after update on vending.vends
  referencing old table as old_rows new table as new_rows for each statement
  execute function private.vending_count_batch_items();

-- The uploader and operators may join a batch's private progress topic.
create policy "uploaders and operators receive batch progress" on realtime.messages for select to authenticated
  using (
    (select realtime.topic()) like 'vending:batch:%'
    and exists (
      select 1 from vending.batches b
      where 'vending:batch:' || b.id::text = (select realtime.topic())
        and (b.uploaded_by = (select auth.uid()) or (select private.vending_is_operator()))
    )
  );
create policy "operators receive vending alerts" on realtime.messages for select to authenticated
  using ((select realtime.topic()) = 'vending:operators' and (select private.vending_is_operator()));

-- Sets every count of the given batches from their items (upload close; the recovery job's repair)
-- and completes those with nothing left in flight. Returns the batches whose counts were wrong.
create or replace function private.vending_recount_batches(batch_ids uuid[]) returns bigint
language sql volatile security definer set search_path = '' as $$
  with actual as (
    select b.id,
           count(v.id)::int as accepted,
           (count(*) filter (where v.status = 'created'))::int as created,
           (count(*) filter (where v.status = 'submitted'))::int as submitted,
           (count(*) filter (where v.status = 'pending'))::int as pending,
           (count(*) filter (where v.status = 'succeeded'))::int as succeeded,
           (count(*) filter (where v.status = 'failed'))::int as failed,
           (count(*) filter (where v.status = 'needs_attention'))::int as attention
    from vending.batches b left join vending.vends v on v.batch_id = b.id
    where b.id = any (batch_ids)
    group by b.id
  ), fixed as (
    update vending.batches b set
      accepted_count = a.accepted, created_count = a.created, submitted_count = a.submitted,
      pending_count = a.pending, succeeded_count = a.succeeded, failed_count = a.failed, attention_count = a.attention,
      status = case when a.created + a.submitted + a.pending = 0 then 'completed' else 'processing' end,
      completed_at = case when a.created + a.submitted + a.pending = 0 then coalesce(b.completed_at, now()) end
    from actual a
    where b.id = a.id
      and (b.accepted_count, b.created_count, b.submitted_count, b.pending_count, b.succeeded_count, b.failed_count,
           b.attention_count, b.status)
          is distinct from
          (a.accepted, a.created, a.submitted, a.pending, a.succeeded, a.failed, a.attention,
           case when a.created + a.submitted + a.pending = 0 then 'completed' else 'processing' end)
    returning 1
  )
  select count(*) from fixed
$$;

-- Funding ------------------------------------------------------------------------------------------
-- Debits the account for a set of new vends (set-based, in line order): a row whose running total
-- passes the balance is refused, the rest are debited. Returns the vend ids refused.
create or replace function private.vending_debit_accounts(vend_ids uuid[]) returns uuid[]
language plpgsql volatile security definer set search_path = '' as $$
declare
  refused uuid[];
begin
  with wanted as (
    select v.id, v.customer_id, v.amount_kobo,
           sum(v.amount_kobo) over (partition by v.customer_id order by v.batch_line nulls first, v.created_at, v.id)
             as running_total
    from vending.vends v where v.id = any (vend_ids) and v.funding = 'account'
  ), locked as (
    select a.customer_id, a.balance_kobo from vending.accounts a
    where a.customer_id in (select customer_id from wanted) for update
  ), covered as (
    select w.*, l.balance_kobo - w.running_total as balance_after
    from wanted w join locked l using (customer_id)
    where w.running_total <= l.balance_kobo
  ), ledger as (
    insert into vending.account_ledger (customer_id, vend_id, kind, amount_kobo, balance_after_kobo, created_by)
    select customer_id, id, 'debit', -amount_kobo, balance_after, customer_id from covered
    returning customer_id, amount_kobo
  ), debited as (
    update vending.accounts a set balance_kobo = a.balance_kobo + d.total, updated_at = now()
    from (select customer_id, sum(amount_kobo) as total from ledger group by customer_id) d
    where a.customer_id = d.customer_id
    returning a.customer_id
  )
  -- (Data-modifying CTEs run to completion whether or not the outer query reads them.)
  select coalesce(array_agg(w.id), '{}') into refused
  from wanted w where w.id not in (select id from covered);
  return refused;
end;
$$;

-- Refunds finally failed, account-funded vends once (the ledger's unique (vend_id, kind) holds).
create or replace function private.vending_refund(vend_ids uuid[]) returns bigint
language sql volatile security definer set search_path = '' as $$
  with due as (
    select v.id, v.customer_id, v.amount_kobo from vending.vends v
    where v.id = any (vend_ids) and v.status = 'failed' and v.funding = 'account'
      and exists (select 1 from vending.account_ledger l where l.vend_id = v.id and l.kind = 'debit')
      and not exists (select 1 from vending.account_ledger l where l.vend_id = v.id and l.kind = 'refund')
  ), credited as (
    update vending.accounts a set balance_kobo = a.balance_kobo + t.total, updated_at = now()
    from (select customer_id, sum(amount_kobo) as total from due group by customer_id) t
    where a.customer_id = t.customer_id
    returning a.customer_id, a.balance_kobo
  ), ledger as (
    insert into vending.account_ledger (customer_id, vend_id, kind, amount_kobo, balance_after_kobo, note)
    select d.customer_id, d.id, 'refund', d.amount_kobo,
           c.balance_kobo - coalesce(sum(d.amount_kobo) over (partition by d.customer_id order by d.id
                                       rows between 1 following and unbounded following), 0),
           'vend failed'
    from due d join credited c using (customer_id)
    returning 1
  )
  select count(*) from ledger
$$;

-- A Paystack payment that may fund a vend of `amount_kobo` for `customer_id`: found through commerce's
-- published contract, the customer's own (another's reference answers as unknown, so references cannot
-- be probed), succeeded, in NGN, with at least the amount still unrefunded, and funding no other vend.
-- Returns the payment id. The vend function calls it before anything is written; create_vend again in
-- its transaction, where the unique payment_id settles a race between two requests.
create or replace function private.vending_check_payment(customer_id uuid, paystack_reference text, amount_kobo bigint)
returns uuid
language plpgsql stable security definer set search_path = '' as $$
declare
  paid record;
begin
  select p.payment_id, p.customer_id, p.status, p.amount_minor, p.currency into paid
  from commerce.payment_by_reference('paystack', vending_check_payment.paystack_reference) p;
  if paid.payment_id is null or paid.customer_id is distinct from vending_check_payment.customer_id then
    raise exception using errcode = 'PT422', hint = 'payment_not_found',
      message = 'No Paystack payment of yours has this reference.';
  end if;
  if paid.status in ('creating', 'pending') then
    raise exception using errcode = 'PT409', hint = 'payment_not_settled',
      message = 'Paystack has not confirmed this payment yet; send the vend again (with a new Idempotency-Key) once it has.';
  end if;
  if paid.status <> 'succeeded' then
    raise exception using errcode = 'PT422', hint = 'payment_failed', message = 'This Paystack payment failed.';
  end if;
  if paid.currency <> 'NGN' then
    raise exception using errcode = 'PT422', hint = 'payment_currency_mismatch',
      message = format('A vend is paid in NGN; this payment is in %s.', paid.currency);
  end if;
  if coalesce(commerce.payment_refundable_minor(paid.payment_id), 0) < amount_kobo then
    raise exception using errcode = 'PT422', hint = 'payment_too_small',
      message = 'The payment (less any refunds) does not cover this amount.',
      detail = jsonb_build_object('availableKobo', coalesce(commerce.payment_refundable_minor(paid.payment_id), 0))::text;
  end if;
  if exists (select 1 from vending.vends v where v.payment_id = paid.payment_id) then
    raise exception using errcode = 'PT409', hint = 'payment_already_used',
      message = 'This payment already funded a vend.';
  end if;
  return paid.payment_id;
end;
$$;

-- Refunds finally failed, Paystack-funded vends once, through commerce's refund path (the vend's
-- amount). A refund commerce refuses (the order was refunded meanwhile, say) must not undo the
-- settlement of the other vends in the worker's group: it becomes an alert for staff instead.
create or replace function private.vending_refund_payments(vend_ids uuid[]) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  due record;
  refunded bigint := 0;
begin
  for due in
    select v.id, v.order_id, v.payment_id, v.amount_kobo from vending.vends v
    where v.id = any (vend_ids) and v.status = 'failed' and v.funding = 'paystack' and v.payment_id is not null
      and v.payment_refund_id is null
    order by v.id
  loop
    begin
      update vending.vends v set payment_refund_id = commerce.refund_payment(
        due.payment_id, due.amount_kobo, format('vend %s failed at BuyPower', due.order_id))
      where v.id = due.id;
      refunded := refunded + 1;
    exception when others then
      perform private.vending_alert('refund_failed',
        'A failed vend paid through Paystack was not refunded by commerce; refund it by hand.',
        jsonb_build_object('vendId', due.id, 'paymentId', due.payment_id, 'error', sqlerrm));
    end;
  end loop;
  return refunded;
end;
$$;

-- Operators top up a customer's prepaid account.
create or replace function private.vending_top_up_account(customer_id uuid, amount_kobo bigint, note text default null)
returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  new_balance bigint;
begin
  perform private.require_any_role(array['admin']);
  if amount_kobo is null or amount_kobo <= 0 or amount_kobo > 100000000000 then
    raise exception using errcode = 'PT422', hint = 'invalid_amount', message = 'A top-up is a positive amount.';
  end if;
  if not exists (select 1 from auth.users u where u.id = vending_top_up_account.customer_id) then
    raise exception using errcode = 'PT404', hint = 'customer_not_found', message = 'No such customer.';
  end if;
  insert into vending.accounts as a (customer_id, balance_kobo) values (vending_top_up_account.customer_id, amount_kobo)
  on conflict on constraint accounts_pkey do update set balance_kobo = a.balance_kobo + excluded.balance_kobo, updated_at = now()
  returning a.balance_kobo into new_balance;
  insert into vending.account_ledger (customer_id, kind, amount_kobo, balance_after_kobo, note, created_by)
  values (vending_top_up_account.customer_id, 'top_up', amount_kobo, new_balance, note, auth.uid());
  return jsonb_build_object('customerId', customer_id, 'balanceKobo', new_balance);
end;
$$;
comment on function private.vending_top_up_account(uuid, bigint, text) is
  'Definer behind vending.top_up_account (checks the caller itself): credit a customer''s prepaid vending account (kobo) and record it in the account ledger.';
grant execute on function private.vending_top_up_account(uuid, bigint, text) to authenticated;

create or replace function vending.top_up_account(customer_id uuid, amount_kobo bigint, note text default null) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.vending_top_up_account(top_up_account.customer_id, top_up_account.amount_kobo, top_up_account.note)
$$;
comment on function vending.top_up_account(uuid, bigint, text) is
  'Admin: credit a customer''s prepaid vending account (kobo) and record it in the account ledger.';

-- Creating vends -------------------------------------------------------------------------------------
-- The shape every reader gets (the function's GET and POST answers).
create or replace function private.vending_vend_json(vend vending.vends) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'id', vend.id, 'orderId', vend.order_id, 'status', vend.status, 'disco', vend.disco_code,
    'meter', vend.meter_number, 'vendType', vend.vend_type, 'amountKobo', vend.amount_kobo,
    'phone', vend.phone, 'email', vend.email, 'name', vend.name, 'funding', vend.funding,
    'paymentId', vend.payment_id, 'paymentRefundId', vend.payment_refund_id,
    'token', vend.token, 'units', vend.units, 'vendRef', vend.vend_ref, 'receiptNo', vend.receipt_no,
    'parcels', vend.parcels, 'vendorCode', vend.vendor_code, 'vendorMessage', vend.vendor_message,
    'batchId', vend.batch_id, 'batchLine', vend.batch_line, 'submissions', vend.submissions,
    'requeries', vend.requeries, 'nextRequeryAt', vend.next_requery_at, 'createdAt', vend.created_at,
    'finalizedAt', vend.finalized_at))
$$;
grant execute on function private.vending_vend_json(vending.vends) to authenticated, service_role;

-- Refuses a vend the DISCO or the saved meter's own limits would refuse.
create or replace function private.vending_check_vend(
  customer_id uuid, disco_code text, meter_number text, vend_type text, amount_kobo bigint
) returns uuid
language plpgsql stable security definer set search_path = '' as $$
declare
  disco record;
  meter record;
begin
  select d.code, d.is_up into disco from vending.discos d where d.code = vending_check_vend.disco_code;
  if disco.code is null then
    raise exception using errcode = 'PT422', hint = 'unknown_disco', message = format('Unknown DISCO %s.', disco_code);
  end if;
  if not disco.is_up then
    raise exception using errcode = 'PT422', hint = 'disco_unavailable',
      message = format('%s is not taking vends right now.', disco_code);
  end if;
  if amount_kobo is null or amount_kobo not between 10000 and 10000000 then
    raise exception using errcode = 'PT422', hint = 'amount_out_of_range',
      message = 'The amount must be between ₦100 and ₦100,000.';
  end if;
  select m.id, m.min_vend_kobo, m.max_vend_kobo into meter from vending.meters m
  where m.customer_id = vending_check_vend.customer_id and m.disco_code = vending_check_vend.disco_code
    and m.meter_number = vending_check_vend.meter_number and m.vend_type = vending_check_vend.vend_type;
  if meter.id is not null and (amount_kobo < coalesce(meter.min_vend_kobo, 0)
                               or amount_kobo > coalesce(meter.max_vend_kobo, amount_kobo)) then
    raise exception using errcode = 'PT422', hint = 'amount_outside_meter_limits',
      message = format('This meter takes between ₦%s and ₦%s.', meter.min_vend_kobo / 100, meter.max_vend_kobo / 100);
  end if;
  return meter.id;
end;
$$;

-- One vend for the signed-in customer, funded before it is queued: by their Paystack payment (the
-- reference given; private.vending_check_payment) or else from their prepaid account. The caller has
-- normalized the phone (E.164) and checked the meter with the vendor.
create or replace function private.vending_create_vend(
  disco_code text, meter_number text, vend_type text, amount_kobo bigint, phone text,
  email text default null, name text default null, order_id text default null, paystack_reference text default null
) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  customer uuid := auth.uid();
  saved_meter uuid;
  paid_by uuid;
  vend vending.vends;
begin
  if customer is null then
    raise exception using errcode = 'PT401', hint = 'unauthorized', message = 'Sign in first.';
  end if;
  saved_meter := private.vending_check_vend(customer, disco_code, meter_number, vend_type, amount_kobo);
  if paystack_reference is not null then
    paid_by := private.vending_check_payment(customer, paystack_reference, amount_kobo);
  end if;
  if vending_create_vend.order_id is not null
     and exists (select 1 from vending.vends v where v.order_id = vending_create_vend.order_id) then
    raise exception using errcode = 'PT409', hint = 'duplicate_order_id', message = 'This orderId was used before.';
  end if;
  -- Any unique conflict (orderId, or the payment a concurrent request just used) inserts nothing.
  insert into vending.vends (order_id, customer_id, meter_id, disco_code, meter_number, vend_type, amount_kobo,
                             phone, email, name, funding, payment_id)
  values (coalesce(vending_create_vend.order_id, 'PB' || replace(gen_random_uuid()::text, '-', '')), customer, saved_meter,
          disco_code, meter_number, vend_type, amount_kobo, phone, email, name,
          case when paid_by is null then 'account' else 'paystack' end, paid_by)
  on conflict do nothing
  returning * into vend;
  if vend.id is null and paid_by is not null
     and exists (select 1 from vending.vends v where v.payment_id = paid_by) then
    raise exception using errcode = 'PT409', hint = 'payment_already_used', message = 'This payment already funded a vend.';
  end if;
  if vend.id is null then
    raise exception using errcode = 'PT409', hint = 'duplicate_order_id', message = 'This orderId was used before.';
  end if;
  if paid_by is null and cardinality(private.vending_debit_accounts(array[vend.id])) > 0 then
    raise exception using errcode = 'PT402', hint = 'insufficient_funds',
      message = 'The prepaid account does not cover this amount.';
  end if;
  insert into vending.vend_queue (vend_id, action) values (vend.id, 'submit');
  return private.vending_vend_json(vend);
end;
$$;
comment on function private.vending_create_vend(text, text, text, bigint, text, text, text, text, text) is
  'Definer behind vending.create_vend (checks the caller itself): the signed-in customer''s vend, funded by their Paystack payment or debited from their prepaid account, and queued for BuyPower.';
grant execute on function private.vending_create_vend(text, text, text, bigint, text, text, text, text, text) to authenticated;

create or replace function vending.create_vend(
  disco_code text, meter_number text, vend_type text, amount_kobo bigint, phone text,
  email text default null, name text default null, order_id text default null, paystack_reference text default null
) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.vending_create_vend(create_vend.disco_code, create_vend.meter_number, create_vend.vend_type,
    create_vend.amount_kobo, create_vend.phone, create_vend.email, create_vend.name, create_vend.order_id,
    create_vend.paystack_reference)
$$;
comment on function vending.create_vend(text, text, text, bigint, text, text, text, text, text) is
  'The signed-in customer''s vend, funded by their Paystack payment (paystack_reference) or debited from their prepaid account, and queued for BuyPower.';
grant execute on function vending.create_vend(text, text, text, bigint, text, text, text, text, text) to authenticated;
grant execute on function vending.top_up_account(uuid, bigint, text) to authenticated;

-- Batches: the function streams the CSV and hands over validated rows in chunks, inside one
-- transaction, so a failed upload leaves nothing. Rows are debited in line order; rows the balance
-- no longer covers, a down DISCO or a saved meter's limits refuse become rejections.
create or replace function private.vending_add_batch_rows(batch_id uuid, batch_rows jsonb) returns int
language plpgsql volatile security definer set search_path = '' as $$
declare
  uploader uuid;
  new_ids uuid[];
  refused uuid[];
begin
  select b.uploaded_by into uploader from vending.batches b where b.id = vending_add_batch_rows.batch_id;
  with incoming as (
    select r.* from jsonb_to_recordset(batch_rows) as r(
      line int, disco text, meter text, "vendType" text, "amountKobo" bigint, phone text, email text, name text)
  ), checked as (
    select i.*, d.code is not null as known, coalesce(d.is_up, false) as up, m.id as meter_id,
           m.min_vend_kobo, m.max_vend_kobo
    from incoming i
    left join vending.discos d on d.code = i.disco
    left join vending.meters m on m.customer_id = uploader and m.disco_code = i.disco and m.meter_number = i.meter
                              and m.vend_type = i."vendType"
  ), rejected as (
    insert into vending.batch_rejections (batch_id, line, code, message, meter_number, disco_code)
    select vending_add_batch_rows.batch_id, c.line,
           case when not c.known then 'unknown_disco' when not c.up then 'disco_unavailable'
                else 'amount_outside_meter_limits' end,
           case when not c.known then 'Unknown DISCO.' when not c.up then 'The DISCO is not taking vends right now.'
                else format('This meter takes between ₦%s and ₦%s.', c.min_vend_kobo / 100, c.max_vend_kobo / 100) end,
           c.meter, c.disco
    from checked c
    where not c.known or not c.up
       or (c.meter_id is not null and (c."amountKobo" < coalesce(c.min_vend_kobo, 0)
                                       or c."amountKobo" > coalesce(c.max_vend_kobo, c."amountKobo")))
    returning line
  ), inserted as (
    insert into vending.vends (order_id, customer_id, meter_id, batch_id, batch_line, disco_code, meter_number,
                               vend_type, amount_kobo, phone, email, name, funding)
    select 'PB' || replace(gen_random_uuid()::text, '-', ''), uploader, c.meter_id, vending_add_batch_rows.batch_id, c.line,
           c.disco, c.meter, c."vendType", c."amountKobo", c.phone, c.email, c.name, 'account'
    from checked c where c.line not in (select line from rejected)
    returning id
  )
  select coalesce(array_agg(id), '{}') into new_ids from inserted;

  refused := private.vending_debit_accounts(new_ids);
  if cardinality(refused) > 0 then
    insert into vending.batch_rejections (batch_id, line, code, message, meter_number, disco_code)
    select v.batch_id, v.batch_line, 'insufficient_funds', 'The prepaid account does not cover this row.',
           v.meter_number, v.disco_code
    from vending.vends v where v.id = any (refused);
    delete from vending.vends v where v.id = any (refused);
  end if;
  insert into vending.vend_queue (vend_id, action)
  select id, 'submit' from unnest(new_ids) as id where id <> all (refused);
  return cardinality(new_ids) - cardinality(refused);
end;
$$;

-- Closes the upload: the totals, and an immediate wake of the worker (pg_net, after commit).
create or replace function private.vending_close_batch_upload(batch_id uuid, row_count int, parse_rejections jsonb)
returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  batch vending.batches;
begin
  insert into vending.batch_rejections (batch_id, line, code, message, meter_number, disco_code)
  select vending_close_batch_upload.batch_id, r.line, r.code, r.message, r.meter, r.disco
  from jsonb_to_recordset(parse_rejections) as r(line int, code text, message text, meter text, disco text)
  on conflict do nothing;
  perform private.vending_recount_batches(array[batch_id]);
  update vending.batches b set
    row_count = vending_close_batch_upload.row_count,
    rejected_count = (select count(*) from vending.batch_rejections r where r.batch_id = b.id)
  where b.id = vending_close_batch_upload.batch_id
  returning * into batch;
  perform private.vending_wake_worker();
  return jsonb_build_object('batchId', batch.id, 'accepted', batch.accepted_count, 'rejectedCount', batch.rejected_count,
                            'rowCount', batch.row_count, 'status', batch.status);
end;
$$;

-- Counts for analysts and operators: vends by status and vendor calls by response code in a window.
create or replace function private.vending_vend_counts(window_from timestamptz, window_to timestamptz) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_any_role(array['admin', 'analyst', 'support']);
  perform private.require_window(window_from, window_to);
  return jsonb_build_object(
    'vendsByStatus', coalesce((
      select jsonb_object_agg(status, n) from (
        select v.status, count(*) as n from vending.vends v
        where v.created_at >= window_from and v.created_at < window_to group by v.status) s), '{}'::jsonb),
    'amountSucceededKobo', (
      select coalesce(sum(v.amount_kobo), 0) from vending.vends v
      where v.status = 'succeeded' and v.created_at >= window_from and v.created_at < window_to),
    'vendorCallsByCode', coalesce((
      select jsonb_object_agg(code, n) from (
        select coalesce(c.http_status::text, 'none') as code, count(*) as n from vending.vendor_calls c
        where c.called_at >= window_from and c.called_at < window_to group by 1) s), '{}'::jsonb));
end;
$$;
comment on function private.vending_vend_counts(timestamptz, timestamptz) is
  'Definer behind vending.vend_counts (checks the caller itself): vends by status, succeeded amount and vendor calls by HTTP status within a window.';
grant execute on function private.vending_vend_counts(timestamptz, timestamptz) to authenticated;

create or replace function vending.vend_counts(window_from timestamptz, window_to timestamptz) returns jsonb
language sql stable security invoker set search_path = '' as $$
  select private.vending_vend_counts(vend_counts.window_from, vend_counts.window_to)
$$;
comment on function vending.vend_counts(timestamptz, timestamptz) is
  'Staff: vends by status, succeeded amount and vendor calls by HTTP status within a window.';
grant execute on function vending.vend_counts(timestamptz, timestamptz) to authenticated;

-- Operators resume a queue that an empty wallet paused, once the wallet is topped up.
create or replace function private.vending_resume_queue() returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
begin
  perform private.require_any_role(array['admin', 'support']);
  update vending.vendor_state set paused = false, paused_reason = null, paused_at = null, updated_at = now();
  return jsonb_build_object('paused', false);
end;
$$;
comment on function private.vending_resume_queue() is
  'Definer behind vending.resume_queue (checks the caller itself): resume the vend queue an empty vendor wallet paused.';
grant execute on function private.vending_resume_queue() to authenticated;

create or replace function vending.resume_queue() returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.vending_resume_queue()
$$;
comment on function vending.resume_queue() is
  'Support/admin: resume the vend queue an empty vendor wallet paused.';
grant execute on function vending.resume_queue() to authenticated;
