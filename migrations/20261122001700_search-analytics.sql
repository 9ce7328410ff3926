-- Search module, part 3: analytics over the query log. The window convention of every module:
-- [window_from, window_to) checked by private.require_window; callers other than analysts, admins and
-- the service are refused with PT401/PT403 by private.require_any_role (RLS on search.queries stays as
-- the second line).

create or replace function search.query_analytics(
  window_from timestamptz, window_to timestamptz, max_rows int default 20
) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  report jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst']);
  perform private.require_window(window_from, window_to);
  if max_rows is null or max_rows not between 1 and 100 then
    raise exception using errcode = 'PT422', hint = 'invalid_limit', message = 'max_rows must be between 1 and 100.';
  end if;

  with in_window as (
    select q.normalized, q.result_count, q.created_at
    from search.queries q
    where q.created_at >= window_from and q.created_at < window_to and q.normalized <> ''
  )
  select jsonb_build_object(
    'from', window_from,
    'to', window_to,
    'totalQueries', (select count(*) from in_window),
    'zeroResultShare', (select round(avg(case when w.result_count = 0 then 1.0 else 0.0 end), 4) from in_window w),
    'popular', coalesce((select jsonb_agg(to_jsonb(p) order by p.searches desc, p.query) from (
        select w.normalized as query, count(*)::int as searches, round(avg(w.result_count), 1) as "averageResults",
               max(w.created_at) as "lastSearchedAt"
        from in_window w group by w.normalized order by count(*) desc, w.normalized limit max_rows) p), '[]'::jsonb),
    'zeroResults', coalesce((select jsonb_agg(to_jsonb(z) order by z.searches desc, z.query) from (
        select w.normalized as query, count(*)::int as searches, max(w.created_at) as "lastSearchedAt"
        from in_window w where w.result_count = 0 group by w.normalized
        order by count(*) desc, w.normalized limit max_rows) z), '[]'::jsonb))
  into report;
  return report;
end;
$$;
grant execute on function search.query_analytics(timestamptz, timestamptz, int) to authenticated, service_role;
comment on function search.query_analytics(timestamptz, timestamptz, int) is
  'Popular and zero-result queries in [window_from, window_to), at most max_rows each; analysts and admins only.';
