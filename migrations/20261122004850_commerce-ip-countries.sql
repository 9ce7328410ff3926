-- Commerce: the country of a client address, for the fraud rule "billing country vs IP country".
-- The ranges come from a maintained npm data set (@ip-location-db/geo-whois-asn-country: RIR
-- delegations, geofeeds and ASN data; CC BY 4.0 by the NRO, attribution in docs/api/commerce.md),
-- loaded set-based by shared/commerce/ip-countries.ts (COPY into a staging table, one swap), which
-- `./dev start` runs locally and a deploy runs once per data update (README, Deploy). A migration holds
-- the table, not its half a million rows.

create table commerce.ip_country_ranges (
  range_start inet primary key,
  range_end inet not null,
  country text not null check (country ~ '^[A-Z]{2}$'),
  check (family(range_start) = family(range_end) and range_start <= range_end
         and masklen(range_start) = case family(range_start) when 4 then 32 else 128 end
         and masklen(range_end) = masklen(range_start))
);
comment on table commerce.ip_country_ranges is
  'Inclusive address ranges and their country (ISO 3166-1 alpha-2), loaded from an npm data set by shared/commerce/ip-countries.ts; non-overlapping, so one index probe finds an address''s range.';
comment on column commerce.ip_country_ranges.range_start is 'First address of the range (a host address).';
comment on column commerce.ip_country_ranges.range_end is 'Last address of the range, inclusive.';
comment on column commerce.ip_country_ranges.country is 'ISO 3166-1 alpha-2 country the range is registered or located in.';

alter table commerce.ip_country_ranges enable row level security;
create policy "analysts and admins read ip country ranges" on commerce.ip_country_ranges
  for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst'])));
grant select on commerce.ip_country_ranges to authenticated;
grant select, insert, update, delete on commerce.ip_country_ranges to service_role;

-- IANA's special-purpose blocks (RFC 6890 and successors): private, loopback, link-local, shared
-- (CGNAT), documentation, benchmarking, multicast and reserved space belong to no country. The data set
-- lists some of them under a country (192.168.0.0/16 as AU), so neither the loader nor the lookup trusts it there.
create or replace function private.commerce_special_purpose_networks() returns setof inet
language sql immutable set search_path = '' as $$
  select unnest(array[
    '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
    '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
    '203.0.113.0/24', '224.0.0.0/3',
    '::/127', '::ffff:0:0/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16',
    'fc00::/7', 'fe80::/10', 'ff00::/8'
  ]::inet[])
$$;

create or replace function private.commerce_special_purpose_address(address inet) returns boolean
language sql stable set search_path = '' as $$
  select exists (select 1 from private.commerce_special_purpose_networks() n where address <<= n)
$$;

-- The country of one address: the range starting at or below it (one btree probe, descending), if it
-- reaches the address; null for unknown and special-purpose addresses.
create or replace function private.commerce_ip_country(address inet) returns text
language sql stable set search_path = '' as $$
  select r.country
  from (select c.range_end, c.country from commerce.ip_country_ranges c
        where c.range_start <= host(address)::inet order by c.range_start desc limit 1) r
  where r.range_end >= host(address)::inet and not private.commerce_special_purpose_address(address)
$$;
