// The shared CSV module as a pure unit: RFC 4180 writing with formula neutralizing, and parsing
// with the line each record starts on (leads imports and the PowerToChoose feed both rely on it).
import assert from "node:assert/strict";
import {
  CsvError,
  csvField,
  csvObjects,
  csvQuote,
  type CsvRecord,
  csvRecordStream,
  csvRow,
  parseCsv,
  parseCsvRecords,
} from "../../../shared/csv.ts";

Deno.test("CSV fields are quoted per RFC 4180 and formulas are neutralized", () => {
  assert.equal(csvField('say "hi", then go'), '"say ""hi"", then go"');
  assert.equal(csvField("line\nbreak"), '"line\nbreak"');
  assert.equal(csvField("=1+1"), "'=1+1");
  assert.equal(csvField("+SUM(A1)"), "'+SUM(A1)");
  assert.equal(csvField("-2"), "'-2");
  assert.equal(csvField("@cmd"), "'@cmd");
  assert.equal(csvField('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
  assert.equal(csvField(null), "");
  assert.equal(csvField(["a", "b"]), '"[""a"",""b""]"');
  assert.equal(csvRow(["a", 1, true]), "a,1,true\r\n");
});

Deno.test("CSV parsing handles quotes, doubled quotes, CRLF and line breaks inside fields", () => {
  const text = '\ufeffname,note\r\n"Acme, Inc","said ""hi""\nthen left"\r\nPlain,\r\n';
  assert.deepEqual(parseCsv(text), [["name", "note"], ["Acme, Inc", 'said "hi"\nthen left'], ["Plain", ""]]);
  assert.deepEqual(csvObjects(text), [{ name: "Acme, Inc", note: 'said "hi"\nthen left' }, {
    name: "Plain",
  }]);
  assert.throws(() => parseCsv('a\r\n"open'), /Unterminated/);
});

Deno.test("records keep the line they start on: quoted commas, doubled quotes, embedded newlines, CRLF, BOM", () => {
  const records = parseCsvRecords('\ufeffa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\r\n');
  assert.deepEqual(records.map((r) => [r.line, r.cells]), [
    [1, ["a", "b"]],
    [2, ["x, y", 'say "hi"']],
    [3, ["two\nlines", "z"]],
  ]);
  assert.throws(
    () => parseCsvRecords('a,b\r\nc,"open\r\n'),
    (error: unknown) => error instanceof CsvError && error.line === 2,
  );
});

Deno.test("bare CR ends a record, blank lines are skipped, an opening quote may follow spaces", () => {
  assert.deepEqual(parseCsvRecords('a,b\r\r\n  \nc, "d,e"\rf,g').map((r) => [r.line, r.cells]), [
    [1, ["a", "b"]],
    [4, ["c", "d,e"]],
    [5, ["f", "g"]],
  ]);
  assert.equal(csvQuote("-5"), "-5", "plain quoting leaves numbers alone (the feed's own format)");
  assert.equal(csvQuote('a"b'), '"a""b"');
});

Deno.test("a byte stream is parsed record by record with start lines, across chunk boundaries", async () => {
  const text = 'id,note\r\n1,"multi\nline"\r\n2,plain\r\n' +
    Array.from({ length: 2000 }, (_, i) => `${i + 3},x\r\n`).join("");
  const bytes = new TextEncoder().encode(text);
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.subarray(i, i + 7));
      controller.close();
    },
  });
  const records: CsvRecord[] = [];
  for await (const record of csvRecordStream(source)) records.push(record);
  assert.equal(records.length, 2003);
  assert.deepEqual(records.slice(0, 4).map((r) => [r.line, r.cells]), [
    [1, ["id", "note"]],
    [2, ["1", "multi\nline"]],
    [4, ["2", "plain"]],
    [5, ["3", "x"]],
  ]);
  assert.equal(records.at(-1)!.line, 2004);
  const broken = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('a,b\r\nc,"open\r\n'));
      controller.close();
    },
  });
  await assert.rejects(async () => {
    for await (const _ of csvRecordStream(broken)) { /* drain */ }
  }, (error: unknown) => error instanceof CsvError && error.line === 2);
});
