// Parser for PowerToChoose's CSV export ("Export to CSV" on powertochoose.org): 29 bracketed columns,
// English and Spanish rows, prices in dollars per kWh at 500/1000/2000 kWh, and a trailing
// "END OF FILE" row. Pure: the pipeline function and the seed generator share it.
import { CsvError, csvQuote, type CsvRecord, parseCsvRecords } from "../csv.ts";

export const PTC_COLUMNS = [
  "[idKey]",
  "[TduCompanyName]",
  "[RepCompany]",
  "[Product]",
  "[kwh500]",
  "[kwh1000]",
  "[kwh2000]",
  "[Fees/Credits]",
  "[PrePaid]",
  "[TimeOfUse]",
  "[Fixed]",
  "[RateType]",
  "[Renewable]",
  "[TermValue]",
  "[CancelFee]",
  "[Website]",
  "[SpecialTerms]",
  "[TermsURL]",
  "[YRACURL]",
  "[Promotion]",
  "[PromotionDesc]",
  "[FactsURL]",
  "[EnrollURL]",
  "[PrepaidURL]",
  "[EnrollPhone]",
  "[NewCustomer]",
  "[MinUsageFeesCredits]",
  "[Language]",
  "[Rating]",
] as const;

export const END_OF_FILE = "END OF FILE";

/** One accepted row, shaped as private.import_plans reads it. */
export interface PlanRow {
  line: number;
  id_key: number;
  tdu: string;
  rep: string;
  product: string;
  kwh500: number;
  kwh1000: number;
  kwh2000: number;
  fees_credits: string | null;
  prepaid: boolean;
  time_of_use: boolean;
  fixed: boolean;
  rate_type: string | null;
  renewable: number;
  term: number;
  cancel_fee: string | null;
  cancel_fee_amount: number | null;
  website: string | null;
  special_terms: string | null;
  terms_url: string | null;
  yrac_url: string | null;
  promotion: boolean;
  promotion_desc: string | null;
  facts_url: string | null;
  enroll_url: string | null;
  prepaid_url: string | null;
  enroll_phone: string | null;
  new_customer: boolean;
  min_usage: boolean;
  language: "English" | "Spanish";
  rating: number | null;
}

export interface RowRejection {
  line: number;
  idKey: string | null;
  reason: string;
}

export interface ParsedExport {
  rows: PlanRow[];
  rejections: RowRejection[];
  /** Data rows seen (between the header and END OF FILE). */
  rowsTotal: number;
}

/** The file as a whole cannot be imported (wrong headers, broken quoting, truncated). */
export class ExportFormatError extends Error {
  constructor(
    readonly code: "wrong_headers" | "malformed_csv" | "truncated_export" | "empty_export",
    message: string,
  ) {
    super(message);
    this.name = "ExportFormatError";
  }
}

const TRUE_WORDS = new Set(["true", "1", "yes", "y", "t"]);
const FALSE_WORDS = new Set(["false", "0", "no", "n", "f", ""]);

class RowError extends Error {}

function bool(value: string, column: string): boolean {
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new RowError(`${column} is "${value}", not a boolean`);
}

function int(value: string, column: string, min: number, max: number, optional = false): number | null {
  const text = value.trim();
  if (text === "" && optional) return null;
  if (!/^-?\d+(\.0+)?$/.test(text)) throw new RowError(`${column} is "${value}", not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new RowError(`${column} ${n} is outside ${min}..${max}`);
  return n;
}

function price(value: string, column: string): number {
  const text = value.trim().replace(/^\$/, "");
  if (!/^\d*\.?\d+$/.test(text)) throw new RowError(`${column} is "${value}", not a price`);
  const n = Number(text);
  if (n <= 0 || n >= 2) throw new RowError(`${column} ${n} is not a price in dollars per kWh`);
  return n;
}

const text = (value: string) => (value.trim() === "" ? null : value.trim());

/** "$150", "150.00", "$20 per month remaining", "0", "" → the first amount, or null. */
export function cancelFeeAmount(value: string): number | null {
  const match = value.replace(/,/g, "").match(/\d+(\.\d+)?/);
  return match ? Number(match[0]) : null;
}

function toRow(record: CsvRecord, index: Map<string, number>): PlanRow {
  const get = (column: (typeof PTC_COLUMNS)[number]) => record.cells[index.get(column)!] ?? "";
  const idKey = int(get("[idKey]"), "idKey", 1, Number.MAX_SAFE_INTEGER)!;
  const required = (column: (typeof PTC_COLUMNS)[number], name: string) => {
    const value = text(get(column));
    if (!value) throw new RowError(`${name} is empty`);
    return value;
  };
  const language = get("[Language]").trim();
  if (language !== "English" && language !== "Spanish") {
    throw new RowError(`Language is "${language}", expected English or Spanish`);
  }
  const cancelFee = text(get("[CancelFee]"));
  return {
    line: record.line,
    id_key: idKey,
    tdu: required("[TduCompanyName]", "TduCompanyName"),
    rep: required("[RepCompany]", "RepCompany"),
    product: required("[Product]", "Product"),
    kwh500: price(get("[kwh500]"), "kwh500"),
    kwh1000: price(get("[kwh1000]"), "kwh1000"),
    kwh2000: price(get("[kwh2000]"), "kwh2000"),
    fees_credits: text(get("[Fees/Credits]")),
    prepaid: bool(get("[PrePaid]"), "PrePaid"),
    time_of_use: bool(get("[TimeOfUse]"), "TimeOfUse"),
    fixed: bool(get("[Fixed]"), "Fixed"),
    rate_type: text(get("[RateType]")),
    renewable: int(get("[Renewable]") || "0", "Renewable", 0, 100)!,
    term: int(get("[TermValue]") || "0", "TermValue", 0, 60)!,
    cancel_fee: cancelFee,
    cancel_fee_amount: cancelFee ? cancelFeeAmount(cancelFee) : null,
    website: text(get("[Website]")),
    special_terms: text(get("[SpecialTerms]")),
    terms_url: text(get("[TermsURL]")),
    yrac_url: text(get("[YRACURL]")),
    promotion: bool(get("[Promotion]"), "Promotion"),
    promotion_desc: text(get("[PromotionDesc]")),
    facts_url: text(get("[FactsURL]")),
    enroll_url: text(get("[EnrollURL]")),
    prepaid_url: text(get("[PrepaidURL]")),
    enroll_phone: text(get("[EnrollPhone]")),
    new_customer: bool(get("[NewCustomer]"), "NewCustomer"),
    min_usage: bool(get("[MinUsageFeesCredits]"), "MinUsageFeesCredits"),
    language,
    rating: int(get("[Rating]"), "Rating", 0, 5, true),
  };
}

/** Parses a whole export: whole-file problems throw ExportFormatError; bad rows become rejections. */
export function parseExport(csv: string): ParsedExport {
  let records: CsvRecord[];
  try {
    records = parseCsvRecords(csv);
  } catch (error) {
    if (error instanceof CsvError) throw new ExportFormatError("malformed_csv", error.message);
    throw error;
  }
  if (records.length === 0) throw new ExportFormatError("empty_export", "The export is empty.");
  const header = records[0].cells.map((cell) => cell.trim());
  const missing = PTC_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length) {
    throw new ExportFormatError(
      "wrong_headers",
      `Not a PowerToChoose export: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}.`,
    );
  }
  const index = new Map(header.map((column, i) => [column, i]));
  const end = records.findIndex((record, i) => i > 0 && record.cells[0].trim().toUpperCase() === END_OF_FILE);
  if (end === -1) {
    throw new ExportFormatError(
      "truncated_export",
      `The export has no "${END_OF_FILE}" row: it may be truncated.`,
    );
  }
  const rows: PlanRow[] = [];
  const rejections: RowRejection[] = [];
  for (const record of records.slice(1, end)) {
    try {
      if (record.cells.length !== header.length) {
        throw new RowError(`expected ${header.length} fields, found ${record.cells.length}`);
      }
      rows.push(toRow(record, index));
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      rejections.push({
        line: record.line,
        idKey: text(record.cells[index.get("[idKey]")!] ?? ""),
        reason: error.message,
      });
    }
  }
  return { rows, rejections, rowsTotal: end - 1 };
}

// Plain RFC 4180 quoting, no formula guard: the feed's own format carries negative numbers.
const csvCell = (value: string | number | boolean | null) => csvQuote(value === null ? "" : String(value));

/** Writes rows in the export's own format (the fixture generator and tests build files with it). */
export function formatExport(rows: Array<Array<string | number | boolean | null>>): string {
  return [PTC_COLUMNS.join(","), ...rows.map((row) => row.map(csvCell).join(",")), END_OF_FILE].join("\r\n") +
    "\r\n";
}
