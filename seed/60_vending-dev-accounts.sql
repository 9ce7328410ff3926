-- Development data for vending: the dev customer's prepaid account holds ₦50,000, so the customer token
-- `./dev start` prints can vend against the local BuyPower sandbox at once (POST /functions/v1/vend).
insert into vending.accounts (customer_id, balance_kobo)
values ('00000000-0000-4000-8000-00000000c001', 5000000)
on conflict (customer_id) do nothing;

insert into vending.account_ledger (customer_id, kind, amount_kobo, balance_after_kobo, note)
select '00000000-0000-4000-8000-00000000c001', 'top_up', 5000000, 5000000, 'development seed'
where not exists (
  select 1 from vending.account_ledger where customer_id = '00000000-0000-4000-8000-00000000c001' and kind = 'top_up'
);
