-- Tracking demo data (development and preview projects only): 48 configurator sessions between 2 and
-- 22 hours ago (inside every analytics range; tests keep their own hours further back), stored through the same ingest functions the `track` function calls, so sessions,
-- funnel steps and completion move exactly as with real traffic. The per-minute rollup job folds
-- them in; the analytics endpoints and dashboards show them within a minute of `./dev start`.
-- Idempotent: session ids are derived from the demo visitor number, and ingest stores each id once.

with demo as (
  select n,
         (md5('powerbase-demo-session-' || n))::uuid as session_id,
         now() - make_interval(hours => 2 + (n * 7) % 20, mins => (n * 11) % 60) as started,
         (array['desktop', 'mobile', 'tablet'])[1 + n % 3] as device
  from generate_series(1, 48) n
)
select tracking.ingest_events(
  d.session_id, null,
  jsonb_build_object('visitor_id', 'demo-visitor-' || (d.n % 30), 'device_type', d.device,
                     'viewport_width', case d.device when 'mobile' then 390 when 'tablet' then 820 else 1440 end,
                     'viewport_height', case d.device when 'mobile' then 844 when 'tablet' then 1180 else 900 end,
                     'referrer', 'https://www.google.com/', 'utm', jsonb_build_object('source', 'google', 'medium', 'cpc')),
  (select jsonb_agg(jsonb_build_object(
     'id', (md5('powerbase-demo-event-' || d.n || '-' || e.k))::uuid,
     'type', case when e.k = 1 then 'page_view' when e.k % 3 = 0 then 'click' else 'selection' end,
     'category', case when e.k = 1 then null else (array['color', 'size', 'material', 'finish'])[1 + (d.n + e.k) % 4] end,
     'element_id', 'option-' || e.k,
     'value', case when e.k > 1 and e.k % 3 <> 0
                   then (array['oak', 'walnut', 'large', 'small', 'matte', 'gloss', 'red', 'blue'])[1 + (d.n * e.k) % 8] end,
     'time_spent_ms', 1500 + (d.n * e.k * 97) % 9000,
     'occurred_at', d.started + make_interval(secs => e.k * 20),
     'props', '{}'::jsonb))
   from generate_series(1, 2 + d.n % 7) e(k)))
from demo d;

-- Two in three sessions save a configuration; some complete it, a few attempt an order.
with demo as (
  select n, (md5('powerbase-demo-session-' || n))::uuid as session_id,
         now() - make_interval(hours => 2 + (n * 7) % 20, mins => (n * 11) % 60) as started
  from generate_series(1, 48) n
  where n % 3 <> 0
)
select tracking.ingest_snapshots(
  d.session_id, null, '{}'::jsonb,
  jsonb_build_array(jsonb_build_object(
    'id', (md5('powerbase-demo-snapshot-' || d.n))::uuid,
    'configuration', jsonb_build_object('material', (array['oak', 'walnut'])[1 + d.n % 2],
                                        'size', (array['large', 'small'])[1 + d.n % 2 + 0 * d.n]),
    'total_price', 450 + (d.n * 53) % 900,
    'completion_percentage', case when d.n % 4 = 0 then 100 else 40 + (d.n * 13) % 50 end,
    'trigger', case when d.n % 8 = 0 then 'order_attempt' else 'auto_save' end,
    'occurred_at', d.started + interval '4 minutes')))
from demo d;

-- Page performance samples (largest contentful paint and time to first byte) for the performance view.
with demo as (
  select n, (md5('powerbase-demo-session-' || n))::uuid as session_id,
         now() - make_interval(hours => 2 + (n * 7) % 20, mins => (n * 11) % 60) as started
  from generate_series(1, 48) n
)
select tracking.ingest_metrics(
  d.session_id, null, '{}'::jsonb,
  jsonb_build_array(
    jsonb_build_object('id', (md5('powerbase-demo-lcp-' || d.n))::uuid, 'name', 'lcp',
                       'value', 900 + (d.n * 71) % 2400, 'route', '/configurator', 'occurred_at', d.started),
    jsonb_build_object('id', (md5('powerbase-demo-ttfb-' || d.n))::uuid, 'name', 'ttfb',
                       'value', 80 + (d.n * 29) % 400, 'route', '/configurator', 'occurred_at', d.started)))
from demo d;
