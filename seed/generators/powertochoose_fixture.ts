// Builds seed/fixtures/powertochoose.csv, a realistic PowerToChoose export (the 29 bracketed
// columns, English and Spanish rows, the trailing END OF FILE row) of plans from real Texas retail
// electric providers across all five TDSPs, and seed/10_energy-plans.sql, which imports it through
// private.import_plans exactly as the pipeline does. Deterministic (seeded), so reruns are stable.
//   deno run -A seed/generators/powertochoose_fixture.ts
import { formatExport, parseExport } from "../../shared/energy/powertochoose.ts";
import { sqlLiteral } from "./sql.ts";

const TDSPS = [
  // [spelling in the export, base price at 1000 kWh in $/kWh, older spelling used by some rows]
  ["ONCOR ELECTRIC DELIVERY COMPANY", 0.139, "ONCOR ELECTRIC DELIVERY COMPANY LLC"],
  ["CENTERPOINT ENERGY HOUSTON ELECTRIC LLC", 0.142, "CENTERPOINT ENERGY HOUSTON ELECTRIC COMPANY"],
  ["AEP TEXAS CENTRAL", 0.151, "AEP TEXAS CENTRAL COMPANY"],
  ["AEP TEXAS NORTH", 0.148, "AEP TEXAS NORTH COMPANY"],
  ["TEXAS-NEW MEXICO POWER COMPANY", 0.155, "TEXAS-NEW MEXICO POWER"],
] as const;

const REPS = [
  ["TXU Energy", "https://www.txu.com", "1-800-242-9113"],
  ["Reliant Energy Retail Services LLC", "https://www.reliant.com", "1-866-222-7100"],
  ["Gexa Energy", "https://www.gexaenergy.com", "1-866-961-9399"],
  ["Green Mountain Energy Company", "https://www.greenmountainenergy.com", "1-866-767-5818"],
  ["Direct Energy", "https://www.directenergy.com", "1-888-305-3828"],
  ["4Change Energy", "https://www.4changeenergy.com", "1-855-784-2426"],
  ["Frontier Utilities", "https://www.frontierutilities.com", "1-877-325-9025"],
  ["Champion Energy Services", "https://www.championenergyservices.com", "1-877-653-5090"],
  ["Express Energy", "https://www.expressenergy.com", "1-877-349-4272"],
  ["Rhythm Energy", "https://www.gotrhythm.com", "1-833-774-9486"],
  ["Chariot Energy", "https://chariotenergy.com", "1-877-342-1932"],
  ["Payless Power", "https://www.paylesspower.com", "1-888-963-9363"],
  ["Cirro Energy", "https://www.cirroenergy.com", "1-800-692-4776"],
  ["Discount Power", "https://www.discountpowertx.com", "1-800-281-2639"],
  ["Pulse Power", "https://pulsepower.com", "1-844-785-7365"],
  ["TriEagle Energy", "https://www.trieagleenergy.com", "1-877-933-2453"],
  ["Constellation NewEnergy", "https://www.constellation.com", "1-844-801-4016"],
  ["Octopus Energy", "https://octopusenergy.com", "1-833-628-6786"],
  ["Tara Energy", "https://www.taraenergy.com", "1-855-636-8272"],
  ["Amigo Energy", "https://www.amigoenergy.com", "1-888-702-6446"],
  ["Veteran Energy", "https://veteranenergy.us", "1-844-838-8376"],
  ["Energy Texas", "https://www.energytexas.com", "1-855-222-7989"],
  ["Summer Energy", "https://www.summerenergy.com", "1-877-773-6274"],
  ["Ambit Energy", "https://www.ambitenergy.com", "1-877-282-6248"],
] as const;

type Kind = "fixed" | "bill_credit" | "green" | "free_nights" | "prepaid" | "variable" | "promo";
const KINDS: Kind[] = [
  "fixed",
  "fixed",
  "bill_credit",
  "green",
  "fixed",
  "free_nights",
  "prepaid",
  "variable",
  "promo",
];

// mulberry32: small, deterministic.
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(20261122);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
const round4 = (n: number) => Math.round(n * 10000) / 10000;
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

function plan(idKey: number, tdspIndex: number, rep: (typeof REPS)[number], kind: Kind, n: number) {
  const [tdu, base, older] = TDSPS[tdspIndex];
  const term = kind === "variable" || kind === "prepaid" ? 1 : pick([6, 12, 12, 12, 18, 24, 24, 36]);
  const p1000 = base * (0.82 + random() * 0.36) - (kind === "bill_credit" ? 0.03 : 0);
  let p500 = p1000 + 0.008 + random() * 0.02;
  let p2000 = p1000 - 0.003 - random() * 0.01;
  if (kind === "bill_credit") {
    p500 = p1000 + 0.06 + random() * 0.03;
    p2000 = p1000 + 0.012 + random() * 0.02;
  }
  if (kind === "free_nights") p500 += 0.01;
  const brand = rep[0].replace(/ (LLC|Company|Services|Retail Services LLC|NewEnergy)$/, "");
  const names: Record<Kind, string> = {
    fixed: `${brand} Secure ${term}`,
    bill_credit: `${brand} Saver Credit ${term}`,
    green: `${brand} Pollution Free ${term}`,
    free_nights: `${brand} Free Nights ${term}`,
    prepaid: `${brand} Prepaid No Deposit`,
    variable: `${brand} Flex Monthly`,
    promo: `${brand} Value ${term} Promo`,
  };
  const renewable = kind === "green" ? 100 : kind === "free_nights" ? 30 : pick([0, 0, 6, 15, 25, 100]);
  const fee = kind === "variable" || kind === "prepaid"
    ? "0"
    : pick(["$150", "$135", "$20 per month remaining", "$195", "$0"]);
  const site = rep[1];
  return {
    idKey,
    cells: [
      idKey,
      n % 7 === 3 ? older : tdu,
      rep[0],
      `${names[kind]}${n > 0 ? ` ${String.fromCharCode(65 + (n % 26))}` : ""}`,
      round4(p500).toFixed(4),
      round4(p1000).toFixed(4),
      round4(p2000).toFixed(4),
      kind === "bill_credit" ? "Bill credit of $100 applies when usage is at least 1000 kWh" : "",
      kind === "prepaid" ? "True" : "False",
      kind === "free_nights" ? "True" : "False",
      kind === "variable" ? "0" : "1",
      kind === "variable" ? "Variable" : "Fixed",
      renewable,
      term,
      fee,
      site,
      kind === "free_nights"
        ? "Electricity used from 9 PM to 6 AM is free of energy charges."
        : kind === "prepaid"
        ? "No deposit and no credit check required."
        : "",
      `${site}/terms/${idKey}.pdf`,
      `${site}/yrac/${idKey}.pdf`,
      kind === "promo" ? "True" : "False",
      kind === "promo" ? "Two months of 50% off energy charges for new customers." : "",
      `${site}/efl/${slug(names[kind])}-${idKey}.pdf`,
      `${site}/enroll?plan=${idKey}`,
      kind === "prepaid" ? `${site}/prepaid-disclosure` : "",
      rep[2],
      kind === "promo" ? "True" : "False",
      // Many bill-credit plans do not flag themselves: the importer reads the price curve instead.
      kind === "bill_credit" ? (random() < 0.5 ? "True" : "False") : "False",
      "English",
      pick([2, 3, 3, 4, 4, 5]),
    ] as Array<string | number>,
  };
}

function main() {
  const rows: Array<Array<string | number>> = [];
  let idKey = 21000;
  for (let tdsp = 0; tdsp < TDSPS.length; tdsp++) {
    for (let n = 0; n < 64; n++) {
      const rep = REPS[(n + tdsp * 5) % REPS.length];
      const kind = KINDS[(n + tdsp) % KINDS.length];
      const english = plan(++idKey, tdsp, rep, kind, Math.floor(n / REPS.length));
      rows.push(english.cells);
      // About one plan in six is also listed in Spanish, under its own idKey.
      if (n % 6 === 0) {
        const spanish = [...english.cells];
        spanish[0] = ++idKey;
        spanish[27] = "Spanish";
        rows.push(spanish);
      }
    }
  }
  const csv = formatExport(rows);
  const fixture = new URL("../fixtures/powertochoose.csv", import.meta.url);
  Deno.writeTextFileSync(fixture, csv);
  const parsed = parseExport(csv);
  if (parsed.rejections.length) throw new Error(`fixture rejects rows: ${JSON.stringify(parsed.rejections)}`);
  const sql = [
    "-- Generated by seed/generators/powertochoose_fixture.ts from seed/fixtures/powertochoose.csv. Do not edit.",
    "-- Imports the fixture export exactly as POST /functions/v1/pipeline/plans-import does, then refreshes",
    "-- the market statistics. Demo data only: a deployed project gets its plans from the live feed",
    "-- (the energy-plans-import job, or one POST /functions/v1/pipeline/plans-import after the deploy).",
    `select private.import_plans('seed', ${
      sqlLiteral(JSON.stringify(parsed.rows))
    }::jsonb, '[]'::jsonb, null, ${parsed.rowsTotal});`,
    "select private.refresh_market_stats();",
    "",
  ].join("\n");
  const target = new URL("../10_energy-plans.sql", import.meta.url);
  Deno.writeTextFileSync(target, sql);
  console.log(`${parsed.rows.length} plan rows -> ${fixture.pathname}, ${target.pathname}`);
}

main();
