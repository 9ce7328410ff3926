// RFC 4180 CSV for every module: a writer that is safe to open in spreadsheets (no formula
// injection) and a parser for imports (quoted fields, doubled quotes, CRLF, LF or CR line ends,
// newlines inside quotes, a byte-order mark) that keeps the line each record starts on, so a rejected
// row can be reported where the sender's editor shows it.

const FORMULA_START = /^[=+\-@\t\r]/;

/** Quotes a field if it holds a quote, comma or line break, as RFC 4180 requires. */
export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One field: neutralizes a leading formula character with a quote (OWASP), then quotes if needed. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date
    ? value.toISOString()
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return csvQuote(text);
}

/** One record terminated by CRLF, as RFC 4180 specifies. */
export function csvRow(values: unknown[]): string {
  return values.map(csvField).join(",") + "\r\n";
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

/**
 * Parses CSV text into records. Blank lines are skipped; an opening quote may follow spaces. Throws
 * CsvError on an unterminated quoted field.
 */
export function parseCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0].trim() === "")) records.push({ line: recordLine, cells });
    cells = [];
    cell = "";
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      quoteLine = line;
      cell = "";
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\r" && source[i + 1] === "\n") {
      // CRLF: the LF ends the record on the next turn.
    } else if (ch === "\n" || ch === "\r") {
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new CsvError(`Unterminated quoted field starting on line ${quoteLine}.`, quoteLine);
  if (cell !== "" || cells.length) endRecord();
  return records;
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
