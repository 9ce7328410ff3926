-- search.query_analytics over [window_from, window_to): popular and zero-result queries grouped by
-- their normalized form, exact counts inside the window only, refusals as PT4xx (role through
-- private.require_any_role, window through private.require_window), and RLS on the query log.
begin;
select plan(13);

-- A window in the past that no demo query reaches, so every count below is exact.
insert into search.queries (query, normalized, kind, result_count, created_at)
values ('Hustn', 'hustn', 'autocomplete', 3, '2020-01-01 10:00Z'), ('hustn', 'hustn', 'search', 5, '2020-01-01 11:00Z'),
       ('zzqx', 'zzqx', 'search', 0, '2020-01-01 12:00Z'), ('dallas', 'dallas', 'search', 7, '2020-01-01 23:59:59Z'),
       ('outside', 'outside', 'search', 0, '2020-01-02 00:00Z');

select tests.create_supabase_user('stats_customer');
select tests.create_supabase_user('stats_analyst', null, 'analyst');

select tests.authenticate_as('stats_analyst');
select search.query_analytics('2020-01-01Z', '2020-01-02Z', 10) as report \gset
select is(((:'report'::jsonb) ->> 'totalQueries')::int, 4, 'the window is [from, to): the query at to is outside');
select is(((:'report'::jsonb) ->> 'zeroResultShare')::numeric, 0.2500, 'one query in four found nothing');
select is((:'report'::jsonb) -> 'popular', jsonb_build_array(
    jsonb_build_object('query', 'hustn', 'searches', 2, 'averageResults', 4.0, 'lastSearchedAt', '2020-01-01T11:00:00+00:00'),
    jsonb_build_object('query', 'dallas', 'searches', 1, 'averageResults', 7.0, 'lastSearchedAt', '2020-01-01T23:59:59+00:00'),
    jsonb_build_object('query', 'zzqx', 'searches', 1, 'averageResults', 0.0, 'lastSearchedAt', '2020-01-01T12:00:00+00:00')),
  'popular queries group by normalized form, most searched first');
select is((:'report'::jsonb) -> 'zeroResults', jsonb_build_array(
    jsonb_build_object('query', 'zzqx', 'searches', 1, 'lastSearchedAt', '2020-01-01T12:00:00+00:00')),
  'zero-result queries are listed');
select is(jsonb_array_length(search.query_analytics('2020-01-01Z', '2020-01-02Z', 1) -> 'popular'), 1,
  'max_rows limits each list');
select is((:'report'::jsonb) ->> 'from', '2020-01-01T00:00:00+00:00', 'the report names its window');

select throws_ok($$select search.query_analytics('2020-01-02Z', '2020-01-01Z')$$, 'PT422', 'from must be before to.',
  'a reversed window is refused');
select throws_ok($$select search.query_analytics('2020-01-01Z', '2021-06-01Z')$$, 'PT422',
  'The window may span at most 400 days.', 'a window over 400 days is refused');
select throws_ok($$select search.query_analytics('2020-01-01Z', '2020-01-02Z', 101)$$, 'PT422',
  'max_rows must be between 1 and 100.', 'more than 100 rows per list are refused');

select tests.authenticate_as('stats_customer');
select throws_ok($$select search.query_analytics('2020-01-01Z', '2020-01-02Z')$$, 'PT403', null,
  'a customer is refused the analytics');
select is_empty($$select 1 from search.queries$$, 'and reads no logged query');
select tests.authenticate_as_anon();
select throws_ok($$select search.query_analytics('2020-01-01Z', '2020-01-02Z')$$, '42501', null,
  'anon cannot call the analytics at all');
select throws_ok($$insert into search.queries (query, normalized, result_count) values ('spam', 'spam', 0)$$, '42501', null,
  'anon cannot write the query log (the search function logs as the service)');

select * from finish();
rollback;
