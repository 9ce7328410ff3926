// The PowerToChoose export parser on its own: malformed CSV, line numbers, the END OF FILE row,
// header checks and per-row rejections. Pure, no stack needed.
import assert from "node:assert/strict";
import {
  cancelFeeAmount,
  ExportFormatError,
  formatExport,
  parseExport,
  PTC_COLUMNS,
} from "../../../shared/energy/powertochoose.ts";

function cells(overrides: Record<string, string | number> = {}): Array<string | number> {
  const base: Record<string, string | number> = {
    "[idKey]": 101,
    "[TduCompanyName]": "ONCOR ELECTRIC DELIVERY COMPANY",
    "[RepCompany]": "Example Energy",
    "[Product]": "Example 12",
    "[kwh500]": "0.1500",
    "[kwh1000]": "0.1400",
    "[kwh2000]": "0.1350",
    "[PrePaid]": "False",
    "[TimeOfUse]": "False",
    "[Fixed]": "1",
    "[Renewable]": 20,
    "[TermValue]": 12,
    "[Promotion]": "False",
    "[NewCustomer]": "False",
    "[MinUsageFeesCredits]": "False",
    "[Language]": "English",
  };
  const merged = { ...base, ...overrides };
  return PTC_COLUMNS.map((column) => merged[column] ?? "");
}

Deno.test("parseExport: an unterminated quote is a malformed export, with the line it starts on", () => {
  assert.throws(
    () => parseExport(`${PTC_COLUMNS.join(",")}\r\n101,"open\r\n`),
    (error: unknown) =>
      error instanceof ExportFormatError && error.code === "malformed_csv" && /line 2\b/.test(error.message),
  );
});

Deno.test("parseExport: rows up to END OF FILE, English and Spanish, line numbers of rejects", () => {
  const csv = formatExport([
    cells(),
    cells({ "[idKey]": 102, "[Language]": "Spanish", "[SpecialTerms]": "Sin depósito, sin cargos" }),
    cells({ "[idKey]": 103, "[kwh1000]": "14" }),
    cells({ "[idKey]": 104, "[Renewable]": 140 }),
  ]) + "ignored,after,the,end\r\n";
  const parsed = parseExport(csv);
  assert.equal(parsed.rowsTotal, 4);
  assert.deepEqual(parsed.rows.map((r) => [r.id_key, r.language]), [[101, "English"], [102, "Spanish"]]);
  assert.equal(parsed.rows[1].special_terms, "Sin depósito, sin cargos");
  assert.deepEqual(parsed.rejections, [
    { line: 4, idKey: "103", reason: "kwh1000 14 is not a price in dollars per kWh" },
    { line: 5, idKey: "104", reason: "Renewable 140 is outside 0..100" },
  ]);
  assert.equal(parsed.rows[0].fixed, true);
  assert.equal(parsed.rows[0].prepaid, false);
});

Deno.test("parseExport: wrong headers, no END OF FILE and an empty file are whole-file errors", () => {
  const code = (csv: string) => {
    try {
      parseExport(csv);
      return "parsed";
    } catch (error) {
      return error instanceof ExportFormatError ? error.code : "other";
    }
  };
  assert.equal(code("idKey,Product\r\n1,x\r\nEND OF FILE\r\n"), "wrong_headers");
  assert.equal(code(`${PTC_COLUMNS.join(",")}\r\n${cells().join(",")}\r\n`), "truncated_export");
  assert.equal(code(""), "empty_export");
  const short = `${PTC_COLUMNS.join(",")}\r\n101,ONCOR\r\nEND OF FILE\r\n`;
  assert.match(parseExport(short).rejections[0].reason, /expected 29 fields, found 2/);
});

Deno.test("cancelFeeAmount reads the first amount of the free-text fee", () => {
  assert.equal(cancelFeeAmount("$150"), 150);
  assert.equal(cancelFeeAmount("$20 per month remaining"), 20);
  assert.equal(cancelFeeAmount("1,250.00"), 1250);
  assert.equal(cancelFeeAmount("None"), null);
});
