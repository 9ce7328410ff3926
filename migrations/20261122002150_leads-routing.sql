-- Leads routing: the nearest active regional office by great-circle distance from the lead's own
-- coordinates, its first plant, or its ZIP centroid (energy.zip_facts); the default office when no
-- location is known (reason no_location); then round-robin among the office's active sales members.

-- Great-circle distance in kilometres (haversine, mean Earth radius).
create or replace function private.great_circle_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8) returns float8
language plpgsql immutable parallel safe set search_path = '' as $$
begin
  return 2 * 6371.0088 * asin(sqrt(
      power(sin(radians(lat2 - lat1) / 2), 2) +
      cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)));
end;
$$;

-- Where each unassigned candidate lead is, and how that was found out.
create or replace function private.leads_locate(candidates leads.leads[])
returns table (lead_id uuid, how text, latitude float8, longitude float8)
language plpgsql stable set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
begin
  return query
  select l.id,
         case when l.latitude is not null and l.longitude is not null then 'explicit_location'
              when plant.lat is not null then 'plant_location'
              when z.latitude is not null then 'zip_centroid'
              else 'no_location' end,
         coalesce(case when l.longitude is not null then l.latitude end, plant.lat, z.latitude),
         coalesce(case when l.latitude is not null then l.longitude end, plant.lon, z.longitude)
  from unnest(candidates) l
  left join lateral (
    select (p ->> 'latitude')::float8 as lat, (p ->> 'longitude')::float8 as lon
    from jsonb_array_elements(coalesce(l.plant_locations, '[]'::jsonb)) with ordinality as plants(p, n)
    where jsonb_typeof(p -> 'latitude') = 'number' and jsonb_typeof(p -> 'longitude') = 'number'
    order by n limit 1
  ) plant on true
  left join energy.zip_facts(array(select distinct c.zip from unnest(candidates) c where c.zip is not null)) z
    on z.zip = l.zip
  where l.office_id is null;
end;
$$;

-- Routes the given unassigned candidate leads. Owners take turns from the office's own sequence
-- (private.leads_office_turn), so concurrent routings never share a turn and never wait on a lock.
create or replace function private.leads_routing(candidates leads.leads[])
returns table (lead_id uuid, office_id uuid, owner_id uuid, latitude float8, longitude float8, routing jsonb)
language plpgsql volatile set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
begin
  return query
  with chosen as (
    select lo.lead_id, lo.how, lo.latitude, lo.longitude,
           coalesce(near.id, (select o.id from leads.regional_offices o where o.is_default and o.active)) as office_id,
           case when near.id is not null then 'nearest_office' else 'default_office' end as office_reason,
           near.km
    from private.leads_locate(candidates) lo
    left join lateral (
      select o.id, private.great_circle_km(lo.latitude, lo.longitude, o.latitude, o.longitude) as km
      from leads.regional_offices o
      where o.active and o.latitude is not null and lo.latitude is not null
      order by 2 limit 1
    ) near on true
  ), numbered as (
    select c.*, case when c.office_id is not null then private.leads_office_turn(c.office_id) end as turn
    from chosen c
  ), members as (
    select m.office_id, m.user_id,
           row_number() over (partition by m.office_id order by m.user_id) - 1 as position,
           count(*) over (partition by m.office_id) as size
    from leads.office_members m
    join private.user_roles r on r.user_id = m.user_id and r.role = 'sales'
    where m.active and m.office_id in (select n.office_id from numbered n)
  )
  select n.lead_id, n.office_id, m.user_id, n.latitude, n.longitude,
         jsonb_build_object(
           'reasons', jsonb_build_array(n.how, n.office_reason,
                                        case when m.user_id is null then 'no_sales_owner' else 'round_robin_owner' end),
           'distanceKm', round(n.km::numeric, 1))
  from numbered n
  left join members m on m.office_id = n.office_id and m.position = n.turn % m.size;
end;
$$;
