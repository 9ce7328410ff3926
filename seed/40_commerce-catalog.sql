-- Commerce demo catalog: an energy retailer's shop (thermostats, meters, solar kits, service plans,
-- accessories in USD; prepaid electricity vouchers and NGN kits for Lagos), stock in two locations.
-- Stock arrives through the ledger (receipt movements), so the ledger invariant holds from the start.
-- Idempotent: products and variants are keyed by slug and SKU; stock is received only once.

insert into commerce.locations (code, name, country) values
  ('HOU-1', 'Houston fulfilment centre', 'US'),
  ('LOS-1', 'Lagos warehouse', 'NG')
on conflict (code) do nothing;

insert into commerce.products (slug, name, category, description) values
  ('nest-learning-thermostat', 'Learning Thermostat', 'thermostat', 'Wi-Fi thermostat that learns your schedule.'),
  ('ecobee-smart-thermostat', 'Smart Thermostat Premium', 'thermostat', 'Thermostat with room sensor and air-quality monitor.'),
  ('basic-programmable-thermostat', 'Programmable Thermostat', 'thermostat', 'Seven-day programmable, no Wi-Fi.'),
  ('thermostat-room-sensor', 'Room Sensor (2-pack)', 'accessory', 'Remote temperature and occupancy sensors.'),
  ('smart-meter-single-phase', 'Smart Meter, single phase', 'meter', 'AMI smart meter with interval data.'),
  ('smart-meter-three-phase', 'Smart Meter, three phase', 'meter', 'Three-phase meter for small businesses.'),
  ('home-energy-monitor', 'Home Energy Monitor', 'meter', 'Clamp-on monitor with circuit-level insights.'),
  ('prepaid-meter-keypad', 'Prepaid Meter with Keypad', 'meter', 'STS prepaid meter with customer interface unit.'),
  ('meter-data-hub', 'Meter Data Hub', 'accessory', 'Zigbee bridge between meter and home network.'),
  ('solar-kit-3kw', 'Rooftop Solar Kit 3 kW', 'solar', 'Panels, inverter and racking for 3 kW.'),
  ('solar-kit-6kw', 'Rooftop Solar Kit 6 kW', 'solar', 'Panels, inverter and racking for 6 kW.'),
  ('solar-kit-10kw', 'Rooftop Solar Kit 10 kW', 'solar', 'Whole-home solar with monitoring.'),
  ('home-battery-10kwh', 'Home Battery 10 kWh', 'solar', 'Lithium iron phosphate storage.'),
  ('portable-power-station', 'Portable Power Station 1 kWh', 'solar', 'Backup power for outages.'),
  ('solar-panel-400w', 'Solar Panel 400 W', 'solar', 'Monocrystalline panel.'),
  ('microinverter', 'Microinverter', 'solar', 'One per panel, with rapid shutdown.'),
  ('ev-charger-level2', 'EV Charger Level 2', 'accessory', '48 A home charger with load management.'),
  ('smart-plug-4pack', 'Smart Plug (4-pack)', 'accessory', 'Energy-monitoring smart plugs.'),
  ('led-bulb-12pack', 'LED Bulbs (12-pack)', 'accessory', '9 W A19 bulbs.'),
  ('water-heater-controller', 'Water Heater Controller', 'accessory', 'Demand-response ready controller.'),
  ('surge-protector-whole-home', 'Whole-home Surge Protector', 'accessory', 'Panel-mounted protection.'),
  ('weatherization-kit', 'Weatherization Kit', 'accessory', 'Door sweeps, weatherstripping, outlet gaskets.'),
  ('service-plan-hvac-annual', 'HVAC Service Plan (annual)', 'service_plan', 'Two tune-ups a year and priority repairs.'),
  ('service-plan-solar-monitoring', 'Solar Monitoring Plan (annual)', 'service_plan', 'Production monitoring and alerts.'),
  ('service-plan-battery-care', 'Battery Care Plan (annual)', 'service_plan', 'Battery health checks and firmware care.'),
  ('service-plan-home-audit', 'Home Energy Audit', 'service_plan', 'On-site audit with blower-door test.'),
  ('prepaid-electricity-voucher', 'Prepaid Electricity Voucher', 'voucher', 'STS token for prepaid meters (Lagos).'),
  ('solar-home-system-ng', 'Solar Home System 1.5 kVA', 'solar', 'Inverter, battery and panels for Nigerian homes.'),
  ('inverter-battery-ng', 'Inverter Battery 200 Ah', 'solar', 'Deep-cycle battery for inverter systems.'),
  ('stabilizer-5kva-ng', 'Voltage Stabilizer 5 kVA', 'accessory', 'Protects appliances from grid swings.'),
  ('rechargeable-fan-ng', 'Rechargeable Fan', 'accessory', 'Solar-rechargeable standing fan.'),
  ('solar-lantern-ng', 'Solar Lantern', 'accessory', 'USB-charging lantern with panel.')
on conflict (slug) do nothing;

insert into commerce.variants (product_id, sku, name, price_minor, currency, low_stock_threshold)
select p.id, v.sku, v.name, v.price_minor, v.currency, v.threshold
from (values
  ('nest-learning-thermostat', 'THERM-LEARN-STEEL', 'Stainless steel', 24900, 'USD', 5),
  ('nest-learning-thermostat', 'THERM-LEARN-BLACK', 'Black', 24900, 'USD', 5),
  ('ecobee-smart-thermostat', 'THERM-PREMIUM', 'Standard', 21900, 'USD', 5),
  ('basic-programmable-thermostat', 'THERM-BASIC', 'Standard', 4900, 'USD', 10),
  ('thermostat-room-sensor', 'SENSOR-2PK', '2-pack', 9900, 'USD', 10),
  ('smart-meter-single-phase', 'METER-1PH', 'Single phase', 18900, 'USD', 5),
  ('smart-meter-three-phase', 'METER-3PH', 'Three phase', 42900, 'USD', 3),
  ('home-energy-monitor', 'MONITOR-HOME', 'Standard', 29900, 'USD', 5),
  ('prepaid-meter-keypad', 'METER-PREPAID-NG', 'Keypad unit', 4500000, 'NGN', 5),
  ('meter-data-hub', 'HUB-ZIGBEE', 'Standard', 7900, 'USD', 5),
  ('solar-kit-3kw', 'SOLAR-KIT-3KW', '3 kW', 690000, 'USD', 2),
  ('solar-kit-6kw', 'SOLAR-KIT-6KW', '6 kW', 1290000, 'USD', 2),
  ('solar-kit-10kw', 'SOLAR-KIT-10KW', '10 kW', 1990000, 'USD', 1),
  ('home-battery-10kwh', 'BATTERY-10KWH', '10 kWh', 890000, 'USD', 2),
  ('portable-power-station', 'POWER-STATION-1K', '1 kWh', 79900, 'USD', 5),
  ('solar-panel-400w', 'PANEL-400W', '400 W', 32900, 'USD', 20),
  ('microinverter', 'MICROINVERTER', 'Standard', 17900, 'USD', 20),
  ('ev-charger-level2', 'EV-CHARGER-L2', '48 A', 59900, 'USD', 3),
  ('smart-plug-4pack', 'PLUG-4PK', '4-pack', 4900, 'USD', 10),
  ('led-bulb-12pack', 'LED-12PK', '12-pack', 2900, 'USD', 20),
  ('water-heater-controller', 'WH-CONTROLLER', 'Standard', 14900, 'USD', 5),
  ('surge-protector-whole-home', 'SURGE-HOME', 'Standard', 19900, 'USD', 5),
  ('weatherization-kit', 'WEATHER-KIT', 'Standard', 3900, 'USD', 10),
  ('service-plan-hvac-annual', 'PLAN-HVAC-1Y', '12 months', 19900, 'USD', 0),
  ('service-plan-solar-monitoring', 'PLAN-SOLAR-1Y', '12 months', 9900, 'USD', 0),
  ('service-plan-battery-care', 'PLAN-BATTERY-1Y', '12 months', 14900, 'USD', 0),
  ('service-plan-home-audit', 'PLAN-AUDIT', 'One visit', 29900, 'USD', 0),
  ('prepaid-electricity-voucher', 'VOUCHER-NGN-1000', '₦1,000', 100000, 'NGN', 50),
  ('prepaid-electricity-voucher', 'VOUCHER-NGN-2000', '₦2,000', 200000, 'NGN', 50),
  ('prepaid-electricity-voucher', 'VOUCHER-NGN-5000', '₦5,000', 500000, 'NGN', 50),
  ('prepaid-electricity-voucher', 'VOUCHER-NGN-10000', '₦10,000', 1000000, 'NGN', 50),
  ('solar-home-system-ng', 'SHS-1K5-NG', '1.5 kVA', 85000000, 'NGN', 2),
  ('inverter-battery-ng', 'BATT-200AH-NG', '200 Ah', 32000000, 'NGN', 3),
  ('stabilizer-5kva-ng', 'STAB-5KVA-NG', '5 kVA', 9500000, 'NGN', 3),
  ('rechargeable-fan-ng', 'FAN-RECHARGE-NG', '16 inch', 4800000, 'NGN', 5),
  ('solar-lantern-ng', 'LANTERN-NG', 'Standard', 1500000, 'NGN', 10)
) as v (slug, sku, name, price_minor, currency, threshold)
join commerce.products p on p.slug = v.slug
on conflict (sku) do nothing;

-- Shipping per unit by category (vouchers and service plans ship nothing): what checkout charges and a
-- free-shipping promotion waives.
update commerce.variants v
set shipping_minor = case v.currency
    when 'USD' then case p.category when 'solar' then 4900 when 'meter' then 1200 when 'thermostat' then 900
                                    when 'accessory' then 500 else 0 end
    else case p.category when 'solar' then 800000 when 'meter' then 350000 when 'accessory' then 250000 else 0 end
  end
from commerce.products p
where p.id = v.product_id and v.shipping_minor = 0;

-- Costs at roughly 55-70 % of price (staff-only table).
insert into commerce.variant_costs (variant_id, unit_cost_minor)
select v.id, (v.price_minor * (55 + abs(hashtext(v.sku)) % 16) / 100)::bigint from commerce.variants v
on conflict (variant_id) do nothing;

-- Levels: USD goods in Houston and a few in Lagos; NGN goods in Lagos and a few in Houston's export cage.
insert into commerce.inventory_levels (variant_id, location_id)
select v.id, l.id from commerce.variants v cross join commerce.locations l
on conflict do nothing;

-- Receipts through the ledger, only for levels that never received anything (reruns add nothing).
-- Quantities vary by SKU; the home location gets most, the other one some.
select private.commerce_apply_movements(coalesce(jsonb_agg(jsonb_build_object(
         'variant_id', x.variant_id, 'location_id', x.location_id, 'kind', 'receipt', 'quantity', x.quantity,
         'on_hand_delta', x.quantity, 'reason', 'opening stock (seed)')), '[]'))
from (
  select v.id as variant_id, l.id as location_id,
         (case when v.sku like 'VOUCHER-%' or v.sku like 'PLAN-%' then 5000
               when (v.currency = 'USD') = (l.country = 'US') then 20 + abs(hashtext(v.sku)) % 60
               else 3 + abs(hashtext(v.sku || l.code)) % 8 end)::int as quantity
  from commerce.variants v cross join commerce.locations l
  where not exists (select 1 from commerce.stock_movements m where m.variant_id = v.id and m.location_id = l.id)
) x;

-- Two lots of room sensors (batteries expire) to show first-expiry-first-out allocation.
insert into commerce.lots (variant_id, location_id, batch_number, expires_on)
select v.id, l.id, b.batch, b.expires
from commerce.variants v cross join commerce.locations l
cross join (values ('SN-2026-A', date '2027-03-31'), ('SN-2026-B', date '2027-09-30')) as b (batch, expires)
where v.sku = 'SENSOR-2PK' and l.code = 'HOU-1'
on conflict do nothing;
select private.commerce_apply_movements(coalesce(jsonb_agg(jsonb_build_object(
         'variant_id', t.variant_id, 'location_id', t.location_id, 'lot_id', t.id, 'kind', 'receipt', 'quantity', 12,
         'on_hand_delta', 12, 'reason', 'lot receipt (seed)')), '[]'))
from commerce.lots t
where not exists (select 1 from commerce.stock_movements m where m.lot_id = t.id);

select private.commerce_refresh_all_alerts();
