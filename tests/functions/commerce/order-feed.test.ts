// The order feed (commerce.order_feed), the contract marketing follows orders through: paging on
// (tx, eventId) serves each event once, with its order and lines, and never lets a newer commit push
// the cursor past an older transaction that commits later.
import assert from "node:assert/strict";
import { dbTest, eventually, ownConnection, sql } from "../../support/harness.ts";
import { checkoutAs, createCustomer, createSku } from "./_helpers.ts";

interface FeedRow {
  tx: string;
  event_id: string;
  kind: string;
  order_id: string;
  status: string;
  total_minor: string;
  lines: { sku: string; quantity: number; unitPriceMinor: number }[];
}

/** Reads the whole feed after a cursor, page by page, as a reader with its own cursor would. */
async function readFeed(cursor: { tx: string; event: string }, pageSize = 2000) {
  const rows: FeedRow[] = [];
  while (true) {
    const page = await sql()<FeedRow[]>`
      select * from commerce.order_feed(${cursor.tx}::bigint, ${cursor.event}::bigint, ${pageSize})`;
    rows.push(...page);
    if (page.length === 0) return { rows, cursor };
    const last = page[page.length - 1];
    cursor = { tx: last.tx, event: last.event_id };
    if (page.length < pageSize) return { rows, cursor };
  }
}

dbTest(
  "order feed: an order's events arrive once, with its lines, and a late older commit is not skipped",
  async () => {
    const buyer = await createCustomer();
    const sku = await createSku(5, { price: 1250 });
    const start = await readFeed({ tx: "0", event: "0" });
    const placed = await checkoutAs(buyer, { items: [{ sku, quantity: 2 }], provider: "stripe" });
    assert.equal(placed.status, 201, placed.text);
    const orderId = placed.body.orderId as string;

    // Served once every older transaction (another test's, say) has ended.
    const first = await eventually(async () => {
      const read = await readFeed(start.cursor);
      return read.rows.some((row) => row.order_id === orderId) && read;
    });
    const created = first.rows.filter((row) => row.order_id === orderId);
    assert.deepEqual(created.map((row) => row.kind), ["created"]);
    assert.equal(created[0].status, "pending_payment");
    assert.equal(Number(created[0].total_minor), placed.body.total);
    assert.deepEqual(created[0].lines.map((l) => [l.sku, l.quantity, l.unitPriceMinor]), [[sku, 2, 1250]]);
    assert.deepEqual(
      (await readFeed(first.cursor)).rows.filter((row) => row.order_id === orderId),
      [],
      "a second read after the cursor serves nothing again",
    );

    // An older transaction writes first and commits last; a newer one commits in between.
    const slow = ownConnection("order-feed-slow");
    let releaseSlow!: () => void;
    const slowMayCommit = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowWrote!: () => void;
    const slowHasWritten = new Promise<void>((resolve) => (slowWrote = resolve));
    const slowDone = slow.begin(async (tx) => {
      await tx`insert into commerce.order_events (order_id, kind) values (${orderId}, 'test_older')`;
      slowWrote();
      await slowMayCommit;
    });
    try {
      await slowHasWritten;
      await sql()`insert into commerce.order_events (order_id, kind) values (${orderId}, 'test_newer')`;
      const whileOpen = await readFeed(first.cursor);
      assert.deepEqual(
        whileOpen.rows.filter((row) => row.order_id === orderId),
        [],
        "the newer commit waits while an older transaction is still open",
      );
      releaseSlow();
      await slowDone;
      const after = await eventually(async () => {
        const read = await readFeed(first.cursor);
        return read.rows.filter((row) => row.order_id === orderId).length === 2 && read;
      });
      assert.deepEqual(after.rows.filter((row) => row.order_id === orderId).map((row) => row.kind), [
        "test_older",
        "test_newer",
      ], "both arrive once the older one commits, oldest transaction first");
    } finally {
      releaseSlow();
      await slowDone.catch(() => {});
      await slow.end();
    }
    await assert.rejects(sql()`select * from commerce.order_feed(0, 0, 0)`, /max_rows/);
  },
);
