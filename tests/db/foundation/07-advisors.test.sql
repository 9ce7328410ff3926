-- Supabase's Security and Performance Advisor on this database: the lints of supabase/splinter
-- (tests/support/splinter-lints.sql, verbatim) over the schemas the Data API exposes, as
-- supabase/config.toml [api] schemas lists them, and search, which is not exposed (browsers reach it
-- through the search function) but is held to the same lints. No finding of any level may
-- remain, except unused_index (INFO), which only says a fresh test database has not used an index
-- yet. The tests schema (helpers that exist only while pgTAP runs, whose role switches cannot pin
-- search_path) is not part of the deploy and is left out.
begin;
select plan(17);

set local pgrst.db_schemas = 'public, graphql_public, leads, tracking, energy, search, commerce, marketing, vending';

create temporary view findings as
select l.name, l.level, l.detail
from tests.advisor_lints l
where l.name <> 'unused_index'
  and coalesce(l.metadata ->> 'schema', '') <> 'tests' and coalesce(l.metadata ->> 'schema', '') not like 'pg\_temp%'
  and l.detail not like '%`tests.%';

select is_empty($$select detail from findings where name = 'multiple_permissive_policies'$$,
  'multiple_permissive_policies: at most one permissive policy per table, role and action');
select is_empty($$select detail from findings where name = 'auth_rls_initplan'$$,
  'auth_rls_initplan: auth.<function>() and current_setting() in policies are wrapped in (select ...)');
select is_empty($$select detail from findings where name = 'function_search_path_mutable'$$,
  'function_search_path_mutable: every function pins its search_path');
select is_empty($$select detail from findings where name = 'authenticated_security_definer_function_executable'$$,
  'authenticated_security_definer_function_executable: no definer RPC in an exposed schema for authenticated');
select is_empty($$select detail from findings where name = 'anon_security_definer_function_executable'$$,
  'anon_security_definer_function_executable: no definer RPC in an exposed schema for anon');
select is_empty($$select detail from findings where name = 'unindexed_foreign_keys'$$,
  'unindexed_foreign_keys: every foreign key has a covering index');
select is_empty($$select detail from findings where name = 'rls_disabled_in_public'$$,
  'rls_disabled_in_public: RLS on every table of an exposed schema');
select is_empty($$select detail from findings where name = 'policy_exists_rls_disabled'$$,
  'policy_exists_rls_disabled: no policy on a table without RLS');
select is_empty($$select detail from findings where name = 'rls_enabled_no_policy'$$,
  'rls_enabled_no_policy: every table with RLS has its policies (event partitions copy the parent''s)');
select is_empty($$select detail from findings where name = 'duplicate_index'$$, 'duplicate_index: no duplicate indexes');
select is_empty($$select detail from findings where name = 'no_primary_key'$$, 'no_primary_key: every table has a primary key');
select is_empty($$select detail from findings where name = 'extension_in_public'$$,
  'extension_in_public: no extension installed in public');
select is_empty($$select detail from findings where name = 'security_definer_view'$$,
  'security_definer_view: no view runs with its owner''s rights');
select is_empty($$select detail from findings where name = 'auth_users_exposed'$$, 'auth_users_exposed: auth.users is not exposed');
select is_empty($$select detail from findings where name = 'rls_references_user_metadata'$$,
  'rls_references_user_metadata: no policy trusts user-editable metadata');
select is_empty($$select detail from findings where name = 'materialized_view_in_api'$$,
  'materialized_view_in_api: no materialized view is exposed');
select is_empty($$select name, detail from findings$$, 'no advisor finding of any other lint');

select * from finish();
rollback;
