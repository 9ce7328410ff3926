// RFC 4180 CSV: a writer that is safe to open in spreadsheets (no formula injection) and a parser
// for imports (quoted fields, doubled quotes, CRLF or LF line ends, newlines inside quotes).

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: neutralizes a leading formula character with a quote (OWASP), then quotes if needed. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date
    ? value.toISOString()
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record terminated by CRLF, as RFC 4180 specifies. */
export function csvRow(values: unknown[]): string {
  return values.map(csvField).join(",") + "\r\n";
}

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/** Parses CSV text into records (arrays of strings). Throws CsvError on an unterminated quote. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === "")) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") {
      quoted = true;
    } else if (ch === ",") {
      endField();
    } else if (ch === "\r" && text[i + 1] === "\n") {
      // CRLF: the LF ends the record on the next turn.
    } else if (ch === "\n") {
      endRecord();
      line++;
    } else {
      field += ch;
    }
  }
  if (quoted) throw new CsvError("Unterminated quoted field.", line);
  if (field !== "" || record.length > 0) endRecord();
  return records;
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
