// Broadcast fan-out: 200 subscribed WebSocket clients, each message committed on its own by
// realtime.send and delivered by the local Realtime (logical replication -> Phoenix frames), through
// the gateway as supabase-js connects and straight to the Realtime process. The anchor is a bare
// LISTEN/NOTIFY relay in this process pushing the same messages to the same number of clients: the
// least a database-to-browser fan-out can cost here. Latency is from just before the sending
// statement to the client's receipt (same clock), so it includes the commit.
import postgres from "postgres";
import { type BenchRow, type BenchScenario, percentile, round } from "../lib.ts";
import { mintUserToken } from "../../supabase/local/tokens.ts";

const CLIENTS = 200;
const SENDERS = 4;
/** The latency phase: a steady rate well below saturation. */
const PACED_RATE = 20;
const PACED_MESSAGES = 100;
const TOPIC = "leads:dashboard";
const ADMIN = "00000000-0000-4000-8000-00000000ad01";

interface Run {
  messages: number;
  seconds: number;
  latencies: number[];
  missing: number;
}

type Decode = (data: string | ArrayBuffer) => { run: string; sentAt: number } | null;

function decodeRealtime(data: string | ArrayBuffer) {
  if (typeof data === "string") return null;
  const bytes = new Uint8Array(data);
  if (bytes[0] !== 4) return null;
  const offset = 5 + bytes[1] + bytes[2] + bytes[3];
  return JSON.parse(new TextDecoder().decode(bytes.subarray(offset)));
}

const decodeRelay = (data: string | ArrayBuffer) => typeof data === "string" ? JSON.parse(data) : null;

async function openClients(
  url: string,
  decode: Decode,
  onReceipt: (run: string, latency: number) => void,
  join?: { token: string },
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i += 20) {
    sockets.push(
      ...await Promise.all(
        Array.from({ length: Math.min(20, CLIENTS - i) }, () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(url);
            ws.binaryType = "arraybuffer";
            ws.onerror = () => reject(new Error(`client could not connect to ${url}`));
            ws.onmessage = (event) => {
              if (typeof event.data === "string" && join) {
                const frame = JSON.parse(event.data);
                if (frame[3] === "phx_reply" && frame[1] === "1") {
                  if (frame[4].status === "ok") resolve(ws);
                  else reject(new Error(`join refused: ${JSON.stringify(frame[4])}`));
                  return;
                }
              }
              const message = decode(event.data);
              if (message) onReceipt(message.run, Date.now() - message.sentAt);
            };
            ws.onopen = () => {
              if (!join) return resolve(ws);
              ws.send(JSON.stringify([
                "1",
                "1",
                `realtime:${TOPIC}`,
                "phx_join",
                {
                  config: { private: true, broadcast: { self: false, ack: false } },
                  access_token: join.token,
                },
              ]));
            };
          })),
      ),
    );
  }
  return sockets;
}

/** Sends `messages` from SENDERS loops, one committed statement each; waits for every delivery. */
async function drive(
  sql: postgres.Sql,
  messages: number,
  send: (db: postgres.Sql, payload: { run: string; sentAt: number }) => Promise<unknown>,
  receipts: Map<string, number[]>,
  run: string,
  perSecond?: number,
): Promise<Run> {
  const latencies: number[] = [];
  receipts.set(run, latencies);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: SENDERS }, async () => {
    while (next < messages) {
      const slot = next++;
      if (perSecond) {
        // Paced: message n leaves at n / perSecond, so latency is not queueing behind a backlog.
        const wait = started + (slot * 1000) / perSecond - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await send(sql, { run, sentAt: Date.now() });
    }
  }));
  const expected = messages * CLIENTS;
  const deadline = Date.now() + 30_000;
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return {
    messages,
    seconds: (performance.now() - started) / 1000,
    latencies,
    missing: expected - latencies.length,
  };
}

const scenario: BenchScenario = {
  name: "realtime",
  description: `broadcast fan-out to ${CLIENTS} clients: local Realtime vs a bare LISTEN/NOTIFY relay`,
  async run(ctx) {
    const messages = ctx.quick ? 100 : 500;
    const sql = postgres(ctx.config.dbUrl, { max: SENDERS, prepare: false, onnotice: () => {} });
    const token = await mintUserToken(sql, ADMIN, { expiresIn: 3600 }, ctx.config);
    const receipts = new Map<string, number[]>();
    const onReceipt = (run: string, latency: number) => receipts.get(run)?.push(latency);
    const opened: WebSocket[] = [];

    // The anchor: LISTEN in this process, push each NOTIFY payload to every relay client.
    const relayClients = new Set<WebSocket>();
    const relay = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onopen = () => relayClients.add(socket);
      socket.onclose = () => relayClients.delete(socket);
      return response;
    });
    const listener = postgres(ctx.config.dbUrl, { max: 1, onnotice: () => {} });
    await listener.listen("bench_relay", (payload) => {
      for (const socket of relayClients) socket.send(payload);
    });

    try {
      const results: Array<{ subject: string; run: Run; paced: Run }> = [];
      type Payload = { run: string; sentAt: number };
      const realtimeSend = (db: postgres.Sql, payload: Payload) =>
        db`select realtime.send(${db.json(payload)}::jsonb, 'bench', ${TOPIC}, true)`;
      const notifySend = (db: postgres.Sql, payload: Payload) =>
        db`select pg_notify('bench_relay', ${JSON.stringify(payload)})`;

      const apiWs = ctx.config.apiUrl.replace(/^http/, "ws");
      const subjects = [
        {
          subject: "LISTEN/NOTIFY relay (anchor)",
          url: `ws://127.0.0.1:${relay.addr.port}/`,
          decode: decodeRelay,
          join: undefined,
          send: notifySend,
        },
        {
          subject: "local Realtime via the gateway",
          url: `${apiWs}/realtime/v1/websocket?apikey=${ctx.anonKey}&vsn=2.0.0`,
          decode: decodeRealtime,
          join: { token },
          send: realtimeSend,
        },
        {
          subject: "local Realtime, direct",
          url:
            `ws://127.0.0.1:${ctx.config.realtimePort}/realtime/v1/websocket?apikey=${ctx.anonKey}&vsn=2.0.0`,
          decode: decodeRealtime,
          join: { token },
          send: realtimeSend,
        },
      ];
      for (const subject of subjects) {
        const clients = await openClients(subject.url, subject.decode, onReceipt, subject.join);
        opened.push(...clients);
        await drive(sql, 20, subject.send, receipts, `${subject.subject}:warm-up`);
        results.push({
          subject: subject.subject,
          run: await drive(sql, messages, subject.send, receipts, subject.subject),
          paced: await drive(
            sql,
            PACED_MESSAGES,
            subject.send,
            receipts,
            `${subject.subject}:paced`,
            PACED_RATE,
          ),
        });
        for (const client of clients) client.close();
      }

      const anchor = results[0];
      const anchorRate = anchor.run.messages / anchor.run.seconds;
      const anchorP99 = percentile(anchor.paced.latencies, 99);
      const anchorSaturatedP99 = percentile(anchor.run.latencies, 99);
      const rows: BenchRow[] = [];
      for (const { subject, run, paced } of results) {
        const isAnchor = subject === anchor.subject;
        const rate = run.messages / run.seconds;
        const p99 = percentile(paced.latencies, 99);
        const saturatedP99 = percentile(run.latencies, 99);
        rows.push(
          {
            scenario: "realtime",
            subject,
            metric: `messages/s to ${CLIENTS} clients`,
            value: round(rate),
            unit: "msg/s",
            ...(isAnchor ? {} : { anchor: "LISTEN/NOTIFY relay", ratio: rate / anchorRate }),
          },
          {
            scenario: "realtime",
            subject,
            metric: "deliveries/s",
            value: round(run.latencies.length / run.seconds),
            unit: "frames/s",
          },
          {
            scenario: "realtime",
            subject,
            metric: `p50 latency at ${PACED_RATE} msg/s`,
            value: round(percentile(paced.latencies, 50)),
            unit: "ms",
          },
          {
            scenario: "realtime",
            subject,
            metric: `p99 latency at ${PACED_RATE} msg/s`,
            value: round(p99),
            unit: "ms",
            ...(isAnchor ? {} : { anchor: "LISTEN/NOTIFY relay", ratio: p99 / anchorP99 }),
          },
          {
            scenario: "realtime",
            subject,
            metric: "p99 latency at saturation",
            value: round(saturatedP99),
            unit: "ms",
            ...(isAnchor ? {} : { anchor: "LISTEN/NOTIFY relay", ratio: saturatedP99 / anchorSaturatedP99 }),
          },
          {
            scenario: "realtime",
            subject,
            metric: "deliveries missing",
            value: run.missing + paced.missing,
            unit: "",
            target: "0",
            met: run.missing === 0,
          },
        );
      }
      return rows;
    } finally {
      for (const socket of opened) if (socket.readyState <= WebSocket.OPEN) socket.close();
      await relay.shutdown();
      await Promise.allSettled([listener.end(), sql.end()]);
    }
  },
};

export default scenario;
