-- Security properties of the whole database, re-checked for every module that lands: RLS on every
-- application table, and no security definer function with a mutable search_path.
begin;
select plan(3);

select is_empty($$select * from tests.tables_without_rls()$$,
  'every table outside the platform schemas has row level security enabled');

select is_empty($$
  select format('%I.%I', n.nspname, p.proname)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef
    and n.nspname <> all (tests.platform_schemas())
    and not coalesce(p.proconfig @> array['search_path=""'], false)
$$, 'every security definer function sets search_path = ''''');

select is_empty($$
  select format('%I.%I', n.nspname, p.proname)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('private', 'ops')
    and has_function_privilege('anon', p.oid, 'execute')
    and p.proname not in ('has_role', 'has_any_role')
    and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
$$, 'anon can execute no private or ops function except the role helpers policies need');

select * from finish();
rollback;
