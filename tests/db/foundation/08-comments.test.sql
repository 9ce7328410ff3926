-- Studio is where admins read the schema: every table, view, column and function of the schemas the
-- Data API exposes carries a comment saying what it holds or does. One assertion per schema, so a
-- module's gap is reported against that module.
begin;
select plan(8);

create temporary view uncommented as
select n.nspname as schema_name, format('table %I.%I', n.nspname, c.relname) as object
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
  and obj_description(c.oid, 'pg_class') is null
  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
union all
select n.nspname, format('column %I.%I.%I', n.nspname, c.relname, a.attname)
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition and a.attnum > 0 and not a.attisdropped
  and col_description(c.oid, a.attnum) is null
  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
union all
select n.nspname, format('function %s', p.oid::regprocedure)
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where obj_description(p.oid, 'pg_proc') is null
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e');

select is_empty($$select object from uncommented where schema_name = 'public' order by 1$$,
  'every table, column and function of public has a comment');
select is_empty($$select object from uncommented where schema_name = 'leads' order by 1$$,
  'every table, column and function of leads has a comment');
select is_empty($$select object from uncommented where schema_name = 'tracking' order by 1$$,
  'every table, column and function of tracking has a comment');
select is_empty($$select object from uncommented where schema_name = 'energy' order by 1$$,
  'every table, column and function of energy has a comment');
select is_empty($$select object from uncommented where schema_name = 'search' order by 1$$,
  'every table, column and function of search has a comment');
select is_empty($$select object from uncommented where schema_name = 'marketing' order by 1$$,
  'every table, column and function of marketing has a comment');
select is_empty($$select object from uncommented where schema_name = 'commerce' order by 1$$,
  'every table, column and function of commerce has a comment');
select is_empty($$select object from uncommented where schema_name = 'vending' order by 1$$,
  'every table, column and function of vending has a comment');

select * from finish();
rollback;
