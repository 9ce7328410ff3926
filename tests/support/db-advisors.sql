-- The properties Supabase's database advisors (supabase/splinter) check, as queries over one schema,
-- included by each module's tests/db/<module>/80-advisors.test.sql with `\set module <schema>` and
-- `\set probe_target <schema>.<table with a bigint id>`. Each check returns one line per finding. The
-- file first asserts that the module's schema has no finding, then creates one deliberate violation
-- of every kind in that schema (rolled back with the test) and asserts that each check reports it,
-- so a checker that silently finds nothing fails too. 14 assertions.

-- Several permissive policies for one role and action: each is evaluated for every row (lint 0006).
create function pg_temp.advisor_multiple_permissive(module text) returns setof text language sql as $$
  select format('%s: %s %s (%s)', c.relname, r.rolname, a.action, string_agg(p.polname, ', ' order by p.polname))
  from pg_policy p
  join pg_class c on c.oid = p.polrelid
  join pg_namespace n on n.oid = c.relnamespace
  cross join lateral unnest(case when p.polroles = '{0}' then array['anon', 'authenticated']::name[]
                                 else array(select rolname from pg_roles where oid = any (p.polroles)) end) as role_name
  join pg_roles r on r.rolname = role_name
  cross join lateral unnest(case p.polcmd when 'r' then array['select'] when 'a' then array['insert']
                                          when 'w' then array['update'] when 'd' then array['delete']
                                          else array['select', 'insert', 'update', 'delete'] end) as a(action)
  where n.nspname = module and p.polpermissive and not r.rolbypassrls
  group by c.relname, r.rolname, a.action
  having count(*) > 1
  order by 1
$$;

-- auth.*(), current_setting() or a role helper called per row instead of once, in (select ...) (lint 0003).
create function pg_temp.advisor_unwrapped_calls(module text) returns setof text language sql as $$
  select format('%s: %s', tablename, policyname)
  from pg_policies
  where schemaname = module
    and regexp_replace(coalesce(qual, '') || ' ' || coalesce(with_check, ''),
                       'SELECT (auth\.\w+|private\.has_(any_)?role|current_setting)\(', '', 'gi')
        ~* '(auth\.\w+|private\.has_(any_)?role|current_setting)\('
  order by 1
$$;

-- A foreign key whose columns do not lead any index: deletes on the parent scan the child (lint 0001).
create function pg_temp.advisor_unindexed_foreign_keys(module text) returns setof text language sql as $$
  select format('%s: %s', t.relname, k.conname)
  from pg_constraint k
  join pg_class t on t.oid = k.conrelid
  join pg_namespace n on n.oid = t.relnamespace
  where k.contype = 'f' and n.nspname = module
    and not exists (
      select 1 from pg_index i
      cross join lateral (select (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(k.conkey)] as lead) l
      where i.indrelid = k.conrelid and l.lead @> k.conkey and l.lead <@ k.conkey)
  order by 1
$$;

-- Two indexes with the same columns, operator classes, expressions and predicate (lint 0009).
create function pg_temp.advisor_duplicate_indexes(module text) returns setof text language sql as $$
  select format('%s: %s', t.relname, string_agg(x.relname, ', ' order by x.relname))
  from pg_index i
  join pg_class x on x.oid = i.indexrelid
  join pg_class t on t.oid = i.indrelid
  join pg_namespace n on n.oid = t.relnamespace
  where n.nspname = module
  group by t.relname, i.indkey::text, i.indclass::text, pg_get_expr(i.indexprs, i.indrelid),
           pg_get_expr(i.indpred, i.indrelid)
  having count(*) > 1
  order by 1
$$;

-- A function without search_path = '' resolves names through the caller's path (lint 0011).
create function pg_temp.advisor_mutable_search_path(module text) returns setof text language sql as $$
  select format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = module and not coalesce(p.proconfig @> array['search_path=""'], false)
  order by 1
$$;

-- A security definer function the API roles can call runs with its owner's rights (lints 0028, 0029).
create function pg_temp.advisor_exposed_definers(module text) returns setof text language sql as $$
  select format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = module and p.prosecdef
    and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))
  order by 1
$$;

-- Studio shows comments as the schema's documentation: every table, view, column and function has one.
create function pg_temp.advisor_missing_comments(module text) returns setof text language sql as $$
  select format('table %s', c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = module and c.relkind in ('r', 'p', 'v', 'm') and obj_description(c.oid, 'pg_class') is null
  union all
  select format('column %s.%s', c.relname, a.attname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid
  where n.nspname = module and c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped
    and col_description(c.oid, a.attnum) is null
  union all
  select format('function %s(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = module and obj_description(p.oid, 'pg_proc') is null
  order by 1
$$;

select is_empty(format('select * from pg_temp.advisor_multiple_permissive(%L)', :'module'),
  format('%s: at most one permissive policy per role and action', :'module'));
select is_empty(format('select * from pg_temp.advisor_unwrapped_calls(%L)', :'module'),
  format('%s: policies call auth and role helpers once, in (select ...)', :'module'));
select is_empty(format('select * from pg_temp.advisor_unindexed_foreign_keys(%L)', :'module'),
  format('%s: every foreign key is indexed', :'module'));
select is_empty(format('select * from pg_temp.advisor_duplicate_indexes(%L)', :'module'),
  format('%s: no duplicate indexes', :'module'));
select is_empty(format('select * from pg_temp.advisor_mutable_search_path(%L)', :'module'),
  format('%s: every function sets search_path = ''''', :'module'));
select is_empty(format('select * from pg_temp.advisor_exposed_definers(%L)', :'module'),
  format('%s: no security definer function is executable by anon or authenticated', :'module'));
select is_empty(format('select * from pg_temp.advisor_missing_comments(%L)', :'module'),
  format('%s: every table, view, column and function carries a comment', :'module'));

-- The deliberate violations: each check must find exactly its own.
create table :"module".advisor_probe (id bigint primary key, parent_id bigint references :probe_target (id), label text);
alter table :"module".advisor_probe enable row level security;
create policy "probe read one" on :"module".advisor_probe for select to authenticated using (true);
create policy "probe read two" on :"module".advisor_probe for select to authenticated using (id = 0);
create policy "probe per row" on :"module".advisor_probe for update to authenticated using (label = auth.uid()::text);
create index advisor_probe_label_idx on :"module".advisor_probe (label);
create index advisor_probe_label_again_idx on :"module".advisor_probe (label);
create function :"module".advisor_probe_definer() returns int language sql security definer as $$ select 1 $$;
grant execute on function :"module".advisor_probe_definer() to authenticated;

select results_eq(format('select * from pg_temp.advisor_multiple_permissive(%L)', :'module'),
  $$values ('advisor_probe: authenticated select (probe read one, probe read two)')$$,
  'the permissive-policy check finds two select policies for one role');
select results_eq(format('select * from pg_temp.advisor_unwrapped_calls(%L)', :'module'),
  $$values ('advisor_probe: probe per row')$$, 'the per-row check finds an unwrapped auth.uid()');
select results_eq(format('select * from pg_temp.advisor_unindexed_foreign_keys(%L)', :'module'),
  $$values ('advisor_probe: advisor_probe_parent_id_fkey')$$, 'the foreign-key check finds an unindexed key');
select results_eq(format('select * from pg_temp.advisor_duplicate_indexes(%L)', :'module'),
  $$values ('advisor_probe: advisor_probe_label_again_idx, advisor_probe_label_idx')$$,
  'the duplicate-index check finds two identical indexes');
select results_eq(format('select * from pg_temp.advisor_mutable_search_path(%L)', :'module'),
  $$values ('advisor_probe_definer()')$$, 'the search_path check finds a function without one');
select results_eq(format('select * from pg_temp.advisor_exposed_definers(%L)', :'module'),
  $$values ('advisor_probe_definer()')$$, 'the definer check finds one authenticated can execute');
select results_eq(format('select * from pg_temp.advisor_missing_comments(%L)', :'module'),
  $$values ('column advisor_probe.id'), ('column advisor_probe.label'), ('column advisor_probe.parent_id'),
           ('function advisor_probe_definer()'), ('table advisor_probe')$$,
  'the comment check finds the uncommented table, its columns and the function');
