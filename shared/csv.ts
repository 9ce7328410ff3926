// CSV for every module over maintained libraries: csv-parse reads imports (quoted fields, doubled
// quotes, CRLF/LF/CR, newlines inside quotes, a byte-order mark; streaming for large files) and
// csv-stringify writes exports. What the libraries do not do is kept here: each record keeps the
// line it starts on, so a rejected row is reported where the sender's editor shows it, and exported
// fields are neutralized against spreadsheet formula injection (OWASP).
import { type InfoRecord, type Options, parse as parseStream } from "csv-parse";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

const FORMULA_START = /^[=+\-@\t\r]/;
const LINE_BREAK = /\r\n|\r|\n/g;

/** Quotes a field if it holds a quote, comma or line break, as RFC 4180 requires. */
export function csvQuote(text: string): string {
  return stringify([[text]], { record_delimiter: "" });
}

/** One field as text: a leading formula character is neutralized with a quote. */
function neutralized(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date
    ? value.toISOString()
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field, neutralized and quoted as needed. */
export function csvField(value: unknown): string {
  return csvQuote(neutralized(value));
}

/** One record terminated by CRLF, as RFC 4180 specifies. */
export function csvRow(values: unknown[]): string {
  return stringify([values.map(neutralized)], { record_delimiter: "\r\n", quoted_empty: false });
}

export class CsvError extends Error {
  /** `line`: where the offending quoted field starts. */
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export interface CsvRecord {
  /** The physical line the record starts on (1-based). */
  line: number;
  cells: string[];
}

const PARSE_OPTIONS: Options = {
  bom: true,
  relax_column_count: true,
  // Files mix line ends (a CR-only export appended to a CRLF one); each ends a record.
  record_delimiter: ["\r\n", "\n", "\r"],
  skip_empty_lines: true,
  skip_records_with_empty_values: true,
  // An opening quote may follow spaces, as spreadsheets write it.
  ltrim: true,
};

/** Options that turn each record into a CsvRecord as it is parsed (csv-parse types only arrays here). */
function withLines(track: (endLine: number) => void): Options {
  const toRecord = (cells: string[], context: InfoRecord) => {
    track(context.lines);
    return { line: startLine(cells, context.lines), cells };
  };
  return { ...PARSE_OPTIONS, on_record: toRecord as unknown as Options["on_record"] };
}

/** The line a record starts on: where it ends, less the line breaks inside its quoted fields. */
function startLine(cells: string[], endLine: number): number {
  return endLine - cells.reduce((breaks, cell) => breaks + (cell.match(LINE_BREAK)?.length ?? 0), 0);
}

function unterminated(error: unknown, lastRecordEnd: number): never {
  const code = (error as { code?: string }).code;
  if (code === "CSV_QUOTE_NOT_CLOSED") {
    // csv-parse reports where the file ends; the open quote's record starts after the last record.
    const line = lastRecordEnd + 1;
    throw new CsvError(`Unterminated quoted field starting on line ${line}.`, line);
  }
  throw new CsvError(String((error as Error).message ?? error), lastRecordEnd + 1);
}

/** Parses CSV text into records with their start lines; CsvError on an unterminated quoted field. */
export function parseCsvRecords(text: string): CsvRecord[] {
  let lastRecordEnd = 0;
  try {
    return parse(text, withLines((end) => lastRecordEnd = end)) as unknown as CsvRecord[];
  } catch (error) {
    unterminated(error, lastRecordEnd);
  }
}

/**
 * Streams records with their start lines from a byte stream (vending's 100,000-row files), never
 * holding the whole file: backpressure flows from the consumer of the iterator to the reader.
 */
export async function* csvRecordStream(source: ReadableStream<Uint8Array>): AsyncGenerator<CsvRecord> {
  let lastRecordEnd = 0;
  const parser = parseStream(withLines((end) => lastRecordEnd = end));
  const pump = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of source) {
        if (!parser.write(decoder.decode(chunk, { stream: true }))) {
          await new Promise((resolve) => parser.once("drain", resolve));
        }
      }
      parser.end(decoder.decode());
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const record of parser) yield record as CsvRecord;
  } catch (error) {
    unterminated(error, lastRecordEnd);
  } finally {
    await pump;
  }
}

/** The records' cells alone. */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).map((record) => record.cells);
}

/** Header row + records as objects keyed by header names; empty cells are left out. */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((name) => name.trim());
  return rows.map((row) =>
    Object.fromEntries(
      names.flatMap((name, index) => (row[index] ?? "").trim() === "" ? [] : [[name, row[index].trim()]]),
    )
  );
}
