// CSV batches: the upload is streamed through csv-parse (web TransformStream, line numbers in `info`)
// and handed to the database in chunks of validated rows inside one transaction, so a 100,000-row
// file is never held whole and a failed upload leaves nothing. Per-row problems become rejections
// with their line; a file that is not a batch at all (no or wrong header) is one 4xx. The results
// CSV is streamed back from a cursor through csv-stringify with formula escaping.
import { createHash } from "node:crypto";
import { parse } from "csv-parse/stream";
import { stringify } from "csv-stringify/sync";
import { asService, asUser, type Claims, db } from "../db.ts";
import { badRequest, conflict, HttpError, notFound } from "../errors.ts";
import { beginKey, completeKey, type KeyRef, releaseKey, requestHash } from "../idempotency.ts";
import { BATCH_COLUMNS, BatchRowSchema, REQUIRED_BATCH_COLUMNS, rowCode } from "./validation.ts";

export const MAX_BATCH_ROWS = 100_000;
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;
const CHUNK_ROWS = 1000;
const REPORTED_REJECTIONS = 1000;

export interface Rejection {
  line: number;
  code: string;
  message: string;
  meter?: string;
  disco?: string;
}

export interface BatchAccepted {
  batchId: string;
  accepted: number;
  rowCount: number;
  rejectedCount: number;
  rejected: Rejection[];
}

class HeaderError extends Error {}

/** Counts the bytes and hashes them on the way through; refuses a body over the cap. */
function tap(hash: ReturnType<typeof createHash>, maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let bytes = 0;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        controller.error(
          new HttpError(413, "payload_too_large", `A batch file may have at most ${maxBytes} bytes.`),
        );
        return;
      }
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
}

/** The SHA-256 of a body, read as a stream (an idempotent repeat is compared, not processed). */
export async function hashBody(body: ReadableStream<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of body.pipeThrough(tap(hash, MAX_BATCH_BYTES))) void chunk;
  return hash.digest("hex");
}

function checkHeader(header: string[]): string[] {
  const columns = header.map((name) => name.trim());
  const unknown = columns.filter((name) => !(BATCH_COLUMNS as readonly string[]).includes(name));
  const missing = REQUIRED_BATCH_COLUMNS.filter((name) => !columns.includes(name));
  if (unknown.length || missing.length || new Set(columns).size !== columns.length) {
    throw new HeaderError(
      `The header must name the columns ${BATCH_COLUMNS.join(", ")} (required: ${
        REQUIRED_BATCH_COLUMNS.join(", ")
      })` +
        (missing.length ? `; missing: ${missing.join(", ")}` : "") +
        (unknown.length ? `; unknown: ${unknown.join(", ")}` : ""),
    );
  }
  return columns;
}

/** Streams a CSV upload into a new batch of the customer's; returns what was accepted and why not. */
export async function ingestBatch(
  customerId: string,
  fileName: string | null,
  body: ReadableStream<Uint8Array>,
): Promise<BatchAccepted & { hash: string }> {
  const hash = createHash("sha256");
  const skipped: Rejection[] = [];
  // Lines of malformed rows (one may surface both as a skip and as a partial record); only these are
  // kept, so memory does not grow with the file.
  const skippedLines = new Set<number>();
  let rowsRead = 0;
  const parser = parse(
    {
      columns: checkHeader,
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: 4096,
      on_skip: (error: { lines?: number; message?: string } | undefined) => {
        skippedLines.add(error?.lines ?? 0);
        skipped.push({
          line: error?.lines ?? 0,
          code: "malformed_row",
          message: (error?.message ?? "malformed row").slice(0, 200),
        });
      },
    } as Parameters<typeof parse>[0],
  );
  try {
    return await asService(async (tx) => {
      const [batch] = await tx`
        insert into vending.batches (uploaded_by, file_name) values (${customerId}, ${fileName}) returning id`;
      const batchId = batch.id as string;
      let rows: Record<string, unknown>[] = [];
      let rejections: Rejection[] = [];
      let rowCount = 0;
      const flush = async () => {
        rejections.push(...skipped.splice(0));
        if (rows.length) {
          await tx`select private.vending_add_batch_rows(${batchId}, ${tx.json(rows as never)})`;
        }
        if (rejections.length) {
          await tx`
            insert into vending.batch_rejections (batch_id, line, code, message, meter_number, disco_code)
            select ${batchId}, r.line, r.code, r.message, r.meter, r.disco
            from jsonb_to_recordset(${tx.json(rejections as never)})
              as r(line int, code text, message text, meter text, disco text)
            on conflict do nothing`;
        }
        rows = [];
        rejections = [];
      };
      const records = body.pipeThrough(tap(hash, MAX_BATCH_BYTES)).pipeThrough(parser);
      for await (
        const item of records as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>
      ) {
        if (skippedLines.has(item.info.lines)) continue;
        rowsRead++;
        if (rowsRead + skippedLines.size > MAX_BATCH_ROWS) {
          throw new HttpError(413, "too_many_rows", `A batch may have at most ${MAX_BATCH_ROWS} rows.`);
        }
        const line = item.info.lines;
        const parsed = BatchRowSchema.safeParse(item.record);
        if (parsed.success) {
          rows.push({ line, ...parsed.data, amountKobo: parsed.data.amount });
        } else {
          rejections.push({
            line,
            ...rowCode(parsed.error),
            meter: item.record.meter?.slice(0, 20),
            disco: item.record.disco?.slice(0, 10),
          });
        }
        if (rows.length + rejections.length >= CHUNK_ROWS) await flush();
      }
      await flush();
      rowCount = rowsRead + skippedLines.size;
      if (rowCount === 0) throw badRequest("empty_batch", "The file has a header but no rows.");
      const fileHash = hash.digest("hex");
      await tx`update vending.batches set file_sha256 = ${fileHash} where id = ${batchId}`;
      const [closed] = await tx`
        select private.vending_close_batch_upload(${batchId}, ${rowCount}, '[]'::jsonb) as summary`;
      const reported = await tx<Rejection[]>`
        select line, code, message from vending.batch_rejections where batch_id = ${batchId}
        order by line limit ${REPORTED_REJECTIONS}`;
      return {
        batchId,
        accepted: Number(closed.summary.accepted),
        rowCount,
        rejectedCount: Number(closed.summary.rejectedCount),
        rejected: reported.map((r) => ({ line: r.line, code: r.code, message: r.message })),
        hash: fileHash,
      };
    });
  } catch (error) {
    if (error instanceof HeaderError) throw badRequest("wrong_headers", error.message);
    const code = (error as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("CSV_")) {
      throw badRequest("malformed_csv", (error as Error).message.slice(0, 300));
    }
    // A header that csv-parse could not read at all (binary, unterminated quote in the header).
    if ((error as Error)?.message?.includes?.("The header must name")) {
      throw badRequest("wrong_headers", (error as Error).message);
    }
    throw error;
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,255}$/;

/**
 * The upload under its Idempotency-Key, in the kernel's store (ops.idempotency_keys). The kernel's
 * middleware fingerprints the whole body before the handler runs, which a 32 MiB stream must not
 * wait for; here the key is taken first (under a fingerprint of the route alone), the file is hashed
 * while it streams in, and a repeat is compared by streaming its bytes through SHA-256 against the
 * batch's stored `file_sha256`: the same file replays the first answer, another file is 422.
 */
export async function uploadBatch(
  customerId: string,
  key: string | undefined,
  upload: { fileName: string | null; body: ReadableStream<Uint8Array> },
): Promise<{ body: BatchAccepted; replayed: boolean }> {
  if (!key) {
    throw badRequest(
      "idempotency_key_required",
      "Send an Idempotency-Key header (8-255 visible characters).",
    );
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest(
      "invalid_idempotency_key",
      "The Idempotency-Key must be 8-255 visible ASCII characters.",
    );
  }
  const sql = db();
  const ref: KeyRef = {
    scope: "vend-batches",
    owner: customerId,
    key,
    requestHash: await requestHash("POST", "/vend/batches", "text/csv stream"),
  };
  const begun = await beginKey(sql, ref, 300);
  if (begun.outcome === "in_flight") {
    const error = conflict(
      "idempotency_key_in_flight",
      "The first upload with this Idempotency-Key is still running.",
    );
    throw new HttpError(error.status, error.code, error.message, [], { "Retry-After": "5" });
  }
  if (begun.outcome === "replay") {
    const first = JSON.parse(begun.body) as BatchAccepted;
    const [batch] = await sql`select file_sha256 from vending.batches where id = ${first.batchId}`;
    if (!batch || batch.file_sha256 !== (await hashBody(upload.body))) {
      throw new HttpError(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was used for a different file.",
      );
    }
    return { body: first, replayed: true };
  }
  let accepted: BatchAccepted;
  try {
    const { hash: _hash, ...rest } = await ingestBatch(customerId, upload.fileName, upload.body);
    accepted = rest;
  } catch (error) {
    // A refused file (4xx) or a failure leaves nothing, the key included: the client may send again.
    await releaseKey(sql, ref);
    throw error;
  }
  await completeKey(sql, ref, 202, JSON.stringify(accepted), "application/json");
  return { body: accepted, replayed: false };
}

export async function readBatch(claims: Claims, batchId: string) {
  const [row] = await asUser(claims, (tx) =>
    tx`
    select id as "batchId", file_name as "fileName", status, row_count as "rowCount", accepted_count as accepted,
           rejected_count as "rejectedCount",
           jsonb_build_object('created', created_count, 'submitted', submitted_count, 'pending', pending_count,
                              'succeeded', succeeded_count, 'failed', failed_count,
                              'needsAttention', attention_count) as counts,
           created_at as "createdAt", completed_at as "completedAt"
    from vending.batches where id = ${batchId}`);
  if (!row) throw notFound("No such batch.");
  return row;
}

const RESULT_COLUMNS = [
  "line",
  "status",
  "orderId",
  "meter",
  "disco",
  "vendType",
  "amount",
  "token",
  "units",
  "receiptNo",
  "code",
  "message",
];

/** The outcome of every row, in line order, streamed from a cursor; cells are formula-escaped. */
export async function resultsCsv(claims: Claims, batchId: string): Promise<ReadableStream<Uint8Array>> {
  await readBatch(claims, batchId);
  const encoder = new TextEncoder();
  let wake: (() => void) | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const waitForRoom = async () => {
        while ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => (wake = resolve));
      };
      controller.enqueue(encoder.encode(stringify([RESULT_COLUMNS])));
      asUser(claims, async (tx) => {
        await tx`
          select v.batch_line as line, v.status, v.order_id, v.meter_number, v.disco_code, v.vend_type,
                 v.amount_kobo, v.token, v.units, v.receipt_no, null::text as code, v.vendor_message as message
          from vending.vends v where v.batch_id = ${batchId}
          union all
          select r.line, 'rejected', null, r.meter_number, r.disco_code, null, null, null, null, null, r.code, r.message
          from vending.batch_rejections r where r.batch_id = ${batchId}
          order by 1`.cursor(500, async (chunk) => {
          await waitForRoom();
          const rows = chunk.map((r) => [
            r.line,
            r.status,
            r.order_id,
            r.meter_number,
            r.disco_code,
            r.vend_type,
            r.amount_kobo == null ? null : (Number(r.amount_kobo) / 100).toFixed(2),
            r.token,
            r.units,
            r.receipt_no,
            r.code,
            r.message,
          ]);
          controller.enqueue(encoder.encode(stringify(rows, { escape_formulas: true })));
        });
      }).then(() => controller.close(), (error) => controller.error(error));
    },
    pull() {
      const resume = wake;
      wake = null;
      resume?.();
    },
  }, { highWaterMark: 4 });
}
