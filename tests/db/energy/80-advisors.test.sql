-- Supabase's database advisors stay clean for the energy schema: one permissive policy per role and
-- action, auth and role helpers wrapped in (select ...), foreign keys indexed, no duplicate indexes,
-- search_path = '' everywhere, no definer function open to the API roles, and a comment on every
-- table, column and function. The checks (tests/support/db-advisors.sql) prove themselves against
-- deliberate violations created and rolled back here.
begin;
select plan(14);

\set module energy
\set probe_target energy.cities
\ir ../../support/db-advisors.sql

select * from finish();
rollback;
