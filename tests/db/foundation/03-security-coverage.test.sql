-- Security properties of the whole database, re-checked for every module that lands: RLS on every
-- application table, no security definer function with a mutable search_path, and an allowlist of
-- every function the API roles may execute. A module that grants execute to anon or authenticated
-- adds its function here with the reason; anything executable and not listed fails this file.
begin;
select plan(7);

select is_empty($$select * from tests.tables_without_rls()$$,
  'every table outside the platform schemas has row level security enabled');

select is_empty($$
  select format('%I.%I', n.nspname, p.proname)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef
    and n.nspname <> all (tests.platform_schemas())
    and not coalesce(p.proconfig @> array['search_path=""'], false)
$$, 'every security definer function sets search_path = ''''');

-- What anon and authenticated can execute in every application schema, exposed or not (policies
-- and invoker RPCs run as the caller, so private helpers they use must be executable too).
-- Signatures are regprocedure text without quotes (argument types only), so renaming a parameter
-- keeps its entry.
create temporary view api_executable as
select replace(p.oid::regprocedure::text, '"', '') as signature, r.role, p.prosecdef as security_definer
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
cross join unnest(array['anon', 'authenticated']) as r(role)
where n.nspname <> all (tests.platform_schemas())
  and n.nspname not like 'pg\_%'
  and has_function_privilege(r.role, p.oid, 'execute')
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e');

create temporary table api_allowlist (signature text, roles text[], reason text not null);
insert into api_allowlist (signature, roles, reason) values
  -- foundation
  ('private.has_role(text)', '{anon,authenticated}', 'role check every policy calls as the caller'),
  ('private.has_any_role(text[])', '{anon,authenticated}', 'role check every policy calls as the caller'),
  ('private.require_any_role(text[])', '{anon,authenticated}', 'the PT401/PT403 refusal every invoker RPC calls first'),
  ('private.require_window(timestamp with time zone,timestamp with time zone)', '{anon,authenticated}',
   'the PT422 window check every analytics RPC calls'),
  -- energy (public marketplace)
  ('energy.compare_plans(integer[],text,bigint,bigint[],jsonb,uuid,integer,text)', '{anon,authenticated}',
   'the public plan comparison'),
  ('energy.detect_bill_credit(numeric,numeric,numeric)', '{anon,authenticated}', 'pure pricing helper of the comparison'),
  ('energy.energy_charge(numeric,numeric,numeric,numeric)', '{anon,authenticated}', 'pure pricing helper of the comparison'),
  ('energy.is_texas_zip(text)', '{anon,authenticated}', 'public ZIP check for forms'),
  ('energy.resolve_location(text,bigint)', '{anon,authenticated}', 'public ZIP/city resolution for the comparison'),
  ('energy.tdsp_charges_on(date)', '{anon,authenticated}', 'public TDSP charges of a day'),
  ('energy.plan_reasons(energy.plans,bigint,numeric,numeric,numeric)', '{anon,authenticated}',
   'pure wording helper of the public comparison (invoker)'),
  ('energy.rank_plans(smallint[],integer[],bigint[],jsonb,text,integer)', '{anon,authenticated}',
   'ranking step of the public comparison, reads public plans under RLS (invoker)'),
  ('energy.zip_facts(text[])', '{authenticated}', 'published contract over public reference data; leads.zip_location calls it'),
  -- search (public)
  ('search.find(text,text[],integer,text)', '{anon,authenticated}', 'public search and autocomplete'),
  ('search.normalize(text)', '{anon,authenticated}', 'pure text normalization the search uses'),
  ('search.find_zips(text,text[],integer,text)', '{anon,authenticated}', 'ZIP branch of the public search (invoker)'),
  ('search.find_names(text,text[],integer,text)', '{anon,authenticated}', 'name branch of the public search (invoker)'),
  ('search.query_analytics(timestamp with time zone,timestamp with time zone,integer)', '{authenticated}',
   'staff search analytics over a window; checks role and window itself'),
  -- leads (staff; every RPC checks roles with private.require_any_role, reads under RLS)
  ('leads.dashboard_summary(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'lead dashboard, invoker'),
  ('leads.dashboard_distribution(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'lead dashboard, invoker'),
  ('leads.dashboard_quality_matrix(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'lead dashboard, invoker'),
  ('leads.dashboard_funnel(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'lead dashboard, invoker'),
  ('leads.dashboard_top_opportunities(timestamp with time zone,timestamp with time zone,integer)', '{authenticated}',
   'lead dashboard, invoker'),
  ('leads.rescore(uuid[])', '{authenticated}', 'admins rescore; invoker entry point of private.leads_rescore'),
  ('leads.score_lead(uuid)', '{authenticated}', 'staff score one lead; invoker entry point of private.leads_score_lead'),
  ('leads.zip_location(text)', '{authenticated}', 'ZIP centroid for staff forms and maps, public reference data'),
  ('private.leads_my_office_ids()', '{authenticated}', 'definer: the caller''s offices, which sales policies compare with'),
  ('private.leads_require_office(uuid)', '{authenticated}',
   'the PT403 office check the sales workflow calls before it assigns leads (invoker)'),
  ('private.leads_range_facts(timestamp with time zone,timestamp with time zone,text[])', '{authenticated}',
   'invoker helper of the dashboards (reads under the caller''s RLS)'),
  ('private.leads_reason_codes(jsonb,jsonb)', '{authenticated}', 'generated column expression recomputed by writers'),
  ('private.leads_rescore(uuid[])', '{authenticated}', 'definer behind leads.rescore; checks the admin role itself'),
  ('private.leads_score_lead(uuid)', '{authenticated}', 'definer behind leads.score_lead; checks role and visibility itself'),
  -- tracking (analysts; every window RPC checks role and window, reads rollups under RLS)
  ('tracking.analytics_overview(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'analytics, invoker'),
  ('tracking.analytics_funnel(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'analytics, invoker'),
  ('tracking.analytics_performance(text,timestamp with time zone,timestamp with time zone)', '{authenticated}',
   'analytics, invoker'),
  ('tracking.analytics_popular_configs(timestamp with time zone,timestamp with time zone,integer)', '{authenticated}',
   'analytics, invoker'),
  ('tracking.analytics_journey(uuid)', '{authenticated}', 'one session''s timeline under RLS (owners and analysts)'),
  ('tracking.analytics_realtime()', '{authenticated}', 'live analytics, invoker'),
  ('tracking.analytics_grain(timestamp with time zone,timestamp with time zone)', '{authenticated}',
   'pure helper of the analytics RPCs'),
  ('tracking.metric_bin(double precision)', '{authenticated}', 'pure histogram helper'),
  ('tracking.metric_bin_value(integer)', '{authenticated}', 'pure histogram helper'),
  ('tracking.rollups_processed_until()', '{authenticated}', 'the rollup watermark every analytics answer carries'),
  -- vending (invoker entry points over private definers that check the caller themselves)
  ('vending.create_vend(text,text,text,bigint,text,text,text,text,text)', '{authenticated}',
   'a signed-in customer starts a vend; invoker entry point of private.vending_create_vend'),
  ('vending.top_up_account(uuid,bigint,text)', '{authenticated}',
   'admins top up a prepaid account; invoker entry point of private.vending_top_up_account'),
  ('vending.vend_counts(timestamp with time zone,timestamp with time zone)', '{authenticated}',
   'staff vend counts over a window; invoker entry point of private.vending_vend_counts'),
  ('vending.resume_queue()', '{authenticated}', 'operators resume the vend queue; invoker entry point of private.vending_resume_queue'),
  ('private.vending_create_vend(text,text,text,bigint,text,text,text,text,text)', '{authenticated}',
   'definer behind create_vend: refuses a caller without a user id (PT401), debits only the caller''s own account, funds only by the caller''s own unused Paystack payment'),
  ('private.vending_top_up_account(uuid,bigint,text)', '{authenticated}',
   'definer behind top_up_account: admins only (checked inside), writes the account and its ledger row'),
  ('private.vending_vend_counts(timestamp with time zone,timestamp with time zone)', '{authenticated}',
   'definer behind vend_counts: admin/analyst/support and the window checked inside, returns counts only'),
  ('private.vending_resume_queue()', '{authenticated}', 'definer behind resume_queue: admin/support only (checked inside)'),
  ('private.vending_is_operator()', '{authenticated}', 'role check vending policies call as the caller'),
  ('private.vending_vend_json(vending.vends)', '{authenticated}', 'JSON shape of a vend for vending''s RPCs'),
  -- commerce (invoker entry points; the definers behind them in private check the caller's role first)
  ('commerce.catalog_availability(text[])', '{anon,authenticated}', 'public sellable units per SKU (invoker)'),
  ('private.commerce_catalog_availability(text[])', '{anon,authenticated}',
   'definer behind catalog_availability: sums levels anon may not read, returns no location figure'),
  ('commerce.adjust_stock(text,text,integer,text,text)', '{authenticated}',
   'staff stock adjustment; invoker entry point of private.commerce_adjust_stock'),
  ('private.commerce_adjust_stock(text,text,integer,text,text)', '{authenticated}',
   'definer behind adjust_stock: admins only (checked inside), through the stock ledger, never below allocated or reserved'),
  ('commerce.receive_stock(text,text,integer,text,date,text)', '{authenticated}',
   'staff receipt with lots; invoker entry point of private.commerce_receive_stock'),
  ('private.commerce_receive_stock(text,text,integer,text,date,text)', '{authenticated}',
   'definer behind receive_stock: admins only (checked inside), through the stock ledger'),
  ('commerce.cancel_order(uuid,text)', '{authenticated}',
   'customer before payment, support/admin before fulfilment; invoker entry point of private.commerce_cancel_order'),
  ('private.commerce_cancel_order(uuid,text)', '{authenticated}',
   'definer behind cancel_order: the customer sees only their own order (PT404 otherwise), staff roles checked inside'),
  ('commerce.fulfil_order(uuid,jsonb)', '{authenticated}',
   'staff fulfilment; invoker entry point of private.commerce_fulfil_order'),
  ('private.commerce_fulfil_order(uuid,jsonb)', '{authenticated}',
   'definer behind fulfil_order: admins only (checked inside)'),
  ('commerce.mark_delivered(uuid)', '{authenticated}',
   'staff delivery; invoker entry point of private.commerce_mark_delivered'),
  ('private.commerce_mark_delivered(uuid)', '{authenticated}',
   'definer behind mark_delivered: admins only (checked inside)'),
  ('commerce.refund_order(uuid,bigint,text,boolean)', '{authenticated}',
   'support/admin refunds; invoker entry point of private.commerce_refund_order'),
  ('private.commerce_refund_order(uuid,bigint,text,boolean)', '{authenticated}',
   'definer behind refund_order: support/admin only (checked inside), never more than captured minus refunded'),
  ('commerce.review_order(uuid,boolean,text)', '{authenticated}',
   'staff approve or reject a held order; invoker entry point of private.commerce_review_order'),
  ('private.commerce_review_order(uuid,boolean,text)', '{authenticated}',
   'definer behind review_order: support/admin only (checked inside)'),
  ('commerce.average_order_value(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'analytics, invoker'),
  ('commerce.payment_success_rate(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'analytics, invoker'),
  ('commerce.refund_rate(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'analytics, invoker'),
  ('commerce.revenue_by_day(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'analytics, invoker'),
  ('commerce.stock_value(timestamp with time zone,timestamp with time zone)', '{authenticated}', 'analytics, invoker'),
  ('commerce.top_products(timestamp with time zone,timestamp with time zone,integer)', '{authenticated}', 'analytics, invoker'),
  -- marketing (invokers under the caller's RLS; staff checks inside)
  ('marketing.campaign_stats(uuid)', '{authenticated}', 'per-campaign figures for marketing staff and analysts'),
  ('marketing.compile_segment(jsonb)', '{authenticated}', 'staff preview of a segment''s SQL over the closed field list'),
  ('marketing.generate_coupons(uuid,integer,text,text)', '{authenticated}', 'bulk single-use codes; require_any_role admin/marketing, inserts under RLS'),
  ('marketing.loyalty_me()', '{authenticated}', 'the calling customer''s loyalty summary'),
  ('marketing.frequently_bought_together(uuid,integer)', '{anon,authenticated}', 'invoker: frequently bought together for a product, aggregates over at least min_pair_orders orders (shop pages)'),
  ('marketing.promotion_coupons(uuid,integer,text)', '{authenticated}', 'a promotion''s codes with usage; require_any_role staff/analyst, reads under RLS'),
  ('marketing.segment_stats()', '{authenticated}', 'segment size, revenue and average order value for staff'),
  ('private.marketing_compile_segment(jsonb,integer)', '{authenticated}', 'invoker compiler behind compile_segment'),
  ('private.marketing_is_staff()', '{authenticated}', 'role check marketing policies call as the caller'),
  ('private.marketing_segment_field(text)', '{authenticated}', 'the closed field list of the segment compiler'),
  ('private.marketing_segment_literal(jsonb,text)', '{authenticated}', 'typed literal of the segment compiler');

create temporary view unlisted_api_functions as
select e.signature, e.role from api_executable e
except all
select a.signature, unnest(a.roles) from api_allowlist a;

-- The checker itself: a deliberate violation must show up, and only it.
create function private.deliberately_leaky() returns int language sql set search_path = '' as $$ select 1 $$;
grant execute on function private.deliberately_leaky() to anon;
select results_eq($$select signature, role from unlisted_api_functions order by 1, 2$$,
  $$values ('private.deliberately_leaky()'::text, 'anon'::text)$$,
  'the allowlist check reports a function anon may execute that nobody listed');
drop function private.deliberately_leaky();

select is_empty($$select * from unlisted_api_functions$$,
  'anon and authenticated execute only functions on the allowlist, each with its reason');
select is_empty($$
  select a.signature from api_allowlist a
  where not exists (select 1 from api_executable e where e.signature = a.signature)
$$, 'every allowlisted function exists and is executable (no stale entries)');
select is_empty($$
  select a.signature, unnest(a.roles) from api_allowlist a
  except
  select e.signature, e.role from api_executable e
$$, 'each allowlisted function is executable by exactly the roles listed');
-- As Supabase's advisor (splinter 0028) checks it: a definer anon can call directly through the Data
-- API; private definers sit behind invoker entry points and are listed above with their reasons.
select is_empty($$
  select e.signature from api_executable e
  where e.security_definer and e.role = 'anon' and split_part(e.signature, '.', 1) <> 'private'
$$, 'anon executes no security definer function in an exposed schema');

select * from finish();
rollback;
