-- The IP country of the fraud rule "billing country vs IP country": ranges loaded set-based from the
-- npm data set, looked up by one index probe; special-purpose and unknown addresses have no country, so
-- the rule never fires for them. RLS on the ranges, allowed and denied.
begin;
select plan(18);

create function pg_temp.checkout_for(identifier text) returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', (tests.user_claims(identifier) || '{"role": "service_role"}')::text, true)
$$;
grant execute on function pg_temp.checkout_for(text) to public;

select tests.create_supabase_user('ip_analyst', null, 'analyst');
select tests.create_supabase_user('ip_support', null, 'support');
select tests.create_supabase_user('ip_alice');
update auth.users set email_confirmed_at = now() where raw_user_meta_data ->> 'test_identifier' = 'ip_alice';

-- The loader ran (./dev start): the data set is there, without special-purpose space.
select ok((select count(*) from commerce.ip_country_ranges where family(range_start) = 4) > 100000,
  'the IPv4 ranges of the data set are loaded');
select ok((select count(*) from commerce.ip_country_ranges where family(range_start) = 6) > 50000,
  'and its IPv6 ranges');
select is((select count(*)::int from commerce.ip_country_ranges
           where private.commerce_special_purpose_address(range_start)), 0,
  'no range starts in special-purpose space (the data set files 192.168.0.0/16 under AU)');

-- Ranges of our own, so the expectations do not depend on the data set's version.
delete from commerce.ip_country_ranges where range_start between '45.0.0.0' and '45.0.255.255'
  or range_start between '2a0f:f000::' and '2a0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
insert into commerce.ip_country_ranges (range_start, range_end, country) values
  ('45.0.0.0', '45.0.0.255', 'NG'), ('45.0.1.0', '45.0.1.255', 'US'),
  ('2a0f:f000::', '2a0f:f000::ffff', 'DE'), ('192.168.0.0', '192.168.255.255', 'AU')
on conflict (range_start) do update set range_end = excluded.range_end, country = excluded.country;

select is(private.commerce_ip_country('45.0.0.7'), 'NG', 'an address inside a range has its country');
select is(private.commerce_ip_country('45.0.1.255'), 'US', 'range ends are inclusive');
select is(private.commerce_ip_country('2a0f:f000::42'), 'DE', 'IPv6 addresses are looked up the same way');
select is(private.commerce_ip_country('2a0f:f000::1:0'), null, 'an IPv6 address past its range has none');
select is(private.commerce_ip_country('127.0.0.1'), null, 'loopback has no country');
select is(private.commerce_ip_country('10.1.2.3'), null, 'private addresses have no country');
select is(private.commerce_ip_country('192.168.1.1'), null, 'special-purpose space has none even if a row claims it');
select is(private.commerce_ip_country(null), null, 'no address, no country');

-- The checkout transaction looks the country up for the trusted client address.
select pg_temp.checkout_for('ip_alice');
select (commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe', null, null, '45.0.0.7', 'US') ->> 'orderId') as mismatch \gset
select (commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe', null, null, '45.0.1.9', 'US') ->> 'orderId') as same \gset
select (commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe', null, null, '127.0.0.1', 'US') ->> 'orderId') as loopback \gset
select (commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe', null, null, '10.9.8.7', 'NG') ->> 'orderId') as private_ip \gset
select tests.clear_authentication();

select is((select ip_country from commerce.orders where id = :'mismatch'), 'NG', 'the order records the IP country');
select is((select r -> 'points' from commerce.fraud_assessments a, jsonb_array_elements(a.rules_fired) r
           where a.order_id = :'mismatch' and r ->> 'rule' = 'country_mismatch'),
          (select to_jsonb(points) from commerce.fraud_rules where id = 'country_mismatch'),
  'billing US from a Nigerian address fires country_mismatch with its points');
select is((select count(*)::int from commerce.fraud_assessments a, jsonb_array_elements(a.rules_fired) r
           where a.order_id = :'same' and r ->> 'rule' = 'country_mismatch'), 0,
  'billing US from a US address fires nothing');
select is((select count(*)::int from commerce.fraud_assessments a, jsonb_array_elements(a.rules_fired) r
           where a.order_id in (:'loopback', :'private_ip') and r ->> 'rule' = 'country_mismatch'), 0,
  'loopback and private addresses fire nothing');

-- RLS: analysts and admins read the ranges; other staff and customers do not; anon has no grant.
select tests.authenticate_as('ip_analyst');
select isnt_empty($$select 1 from commerce.ip_country_ranges where range_start = '45.0.0.0'$$, 'analysts read the ranges');
select tests.authenticate_as('ip_support');
select is_empty($$select 1 from commerce.ip_country_ranges$$, 'support reads no ranges');
select tests.authenticate_as_anon();
select throws_ok($$select 1 from commerce.ip_country_ranges$$, '42501', null, 'anon cannot read the ranges');

select * from finish();
rollback;
