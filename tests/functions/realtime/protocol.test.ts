// The wire protocol and bad input, on a raw WebSocket: handshake refusals, heartbeats, join and leave
// replies in the real server's shapes, client broadcasts (binary kind 3 in, kind 4 out), malformed
// and oversized frames, forged tokens and join floods. The server must answer or close cleanly and
// keep serving everyone else.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { anonKey, config, dbTest, tokenFor } from "../../support/harness.ts";
import { REALTIME_URL } from "./support.ts";

type Frame = string | ArrayBuffer;

class RawSocket {
  readonly frames: Frame[] = [];
  closed?: { code: number; reason: string };
  #waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      this.frames.push(event.data);
      this.#wake();
    };
    ws.onclose = (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.#wake();
    };
  }

  static async open(vsn = "2.0.0", apikey?: string): Promise<RawSocket> {
    const key = apikey ?? await anonKey();
    const ws = new WebSocket(`${REALTIME_URL}?apikey=${key}&vsn=${vsn}`);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("websocket failed to open"));
    });
    return new RawSocket(ws);
  }

  #wake() {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  send(frame: string | Uint8Array) {
    this.ws.send(frame);
  }

  /** The next JSON frame matching `match`, within 5 s. */
  async next(match: (frame: unknown) => boolean, what: string): Promise<unknown> {
    const deadline = Date.now() + 5000;
    while (true) {
      const index = this.frames.findIndex((frame) => typeof frame === "string" && match(JSON.parse(frame)));
      if (index >= 0) return JSON.parse(this.frames.splice(index, 1)[0] as string);
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) before ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async closedWith(): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + 5000;
    while (!this.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(this.closed, "the server closes the socket");
    return this.closed!;
  }

  close() {
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close();
  }
}

const replyTo = (ref: string) => (frame: unknown) =>
  Array.isArray(frame) && frame[1] === ref && frame[3] === "phx_reply";

async function join(socket: RawSocket, topic: string, payload: unknown, ref = "1") {
  socket.send(JSON.stringify([ref, ref, topic, "phx_join", payload]));
  return await socket.next(replyTo(ref), `the reply to joining ${topic}`) as [
    string,
    string,
    string,
    string,
    { status: string; response: Record<string, unknown> },
  ];
}

const gatewayGet = (query: string) =>
  fetch(`${config.apiUrl}/realtime/v1/websocket${query}`).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));

dbTest("the handshake refuses a missing or forged apikey with the server's 401 bodies", async () => {
  assert.deepEqual(await gatewayGet("?vsn=2.0.0"), { status: 401, body: { error: "API key is missing" } });
  const forged = await new SignJWT({ role: "service_role", exp: 1983812996 })
    .setProtectedHeader({ alg: "HS256" })
    .sign(new TextEncoder().encode("not-the-project-secret-not-the-project-secret"));
  assert.deepEqual(await gatewayGet(`?apikey=${forged}&vsn=2.0.0`), {
    status: 401,
    body: { error: "Failed to validate JWT signature" },
  });
  assert.deepEqual(await gatewayGet(`?apikey=not-a-jwt&vsn=2.0.0`), {
    status: 401,
    body: { error: "The token provided is not a valid JWT" },
  });
});

dbTest("heartbeat, join, leave and unknown topics answer as Phoenix and Realtime do", async () => {
  const socket = await RawSocket.open();
  try {
    socket.send(JSON.stringify([null, "7", "phoenix", "heartbeat", {}]));
    assert.deepEqual(await socket.next(replyTo("7"), "heartbeat reply"), [
      null,
      "7",
      "phoenix",
      "phx_reply",
      { status: "ok", response: {} },
    ]);
    const [, , , , joined] = await join(socket, "realtime:room-1", { config: { private: false } });
    assert.deepEqual(joined, { status: "ok", response: { postgres_changes: [] } });

    socket.send(JSON.stringify(["1", "2", "realtime:room-1", "phx_leave", {}]));
    assert.deepEqual((await socket.next(replyTo("2"), "leave reply") as unknown[])[4], {
      status: "ok",
      response: {},
    });

    const [, , , , noName] = await join(socket, "realtime:", {}, "3");
    assert.deepEqual(noName, {
      status: "error",
      response: { reason: "TopicNameRequired: You must provide a topic name" },
    });
    const [, , , , unmatched] = await join(socket, "rooms:lobby", {}, "4");
    assert.deepEqual(unmatched, { status: "error", response: { reason: "unmatched topic" } });
  } finally {
    socket.close();
  }
});

dbTest("joins with a forged token, an expired one or only the anon key are refused", async () => {
  const socket = await RawSocket.open();
  try {
    const forged = await new SignJWT({ role: "authenticated", exp: 1983812996, user_role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("an-attacker-secret-an-attacker-secret-0000"));
    const [, , , , forgedReply] = await join(socket, "realtime:leads:dashboard", {
      config: { private: true },
      access_token: forged,
    });
    assert.deepEqual(forgedReply, {
      status: "error",
      response: { reason: "JwtSignatureError: Failed to validate JWT signature" },
    });
    const expired = await tokenFor("admin", { expiresIn: -30 });
    const [, , , , expiredReply] = await join(socket, "realtime:leads:dashboard", {
      config: { private: true },
      access_token: expired,
    }, "2");
    assert.equal(expiredReply.status, "error");
    assert.match(
      String(expiredReply.response.reason),
      /^InvalidJWTToken: Token has expired \d+ seconds ago$/,
    );
    const [, , , , anonReply] = await join(
      socket,
      "realtime:leads:dashboard",
      { config: { private: true } },
      "3",
    );
    assert.deepEqual(anonReply, {
      status: "error",
      response: {
        reason: "Unauthorized: You do not have permissions to read from this Channel topic: leads:dashboard",
      },
    });
  } finally {
    socket.close();
  }
});

/** A kind-3 user broadcast push, as realtime-js's serializer encodes `channel.send`. */
function userBroadcastPush(joinRef: string, ref: string, topic: string, event: string, payload: unknown) {
  const enc = new TextEncoder();
  const parts = [joinRef, ref, topic, event, ""].map((s) => enc.encode(s));
  const body = enc.encode(JSON.stringify(payload));
  const frame = new Uint8Array(7 + parts.reduce((n, p) => n + p.length, 0) + body.length);
  frame.set([3, parts[0].length, parts[1].length, parts[2].length, parts[3].length, 0, 1]);
  let offset = 7;
  for (const part of [...parts, body]) {
    frame.set(part, offset);
    offset += part.length;
  }
  return frame;
}

dbTest("a client broadcast reaches other subscribers as a kind-4 frame (v2) and JSON (v1)", async () => {
  const sender = await RawSocket.open("2.0.0");
  const receiverV2 = await RawSocket.open("2.0.0");
  const receiverV1 = await RawSocket.open("1.0.0");
  try {
    const config = { config: { broadcast: { ack: true, self: false }, private: false } };
    await join(sender, "realtime:room-b", config);
    await join(receiverV2, "realtime:room-b", config);
    receiverV1.send(
      JSON.stringify({ topic: "realtime:room-b", event: "phx_join", payload: config, ref: "1" }),
    );
    await receiverV1.next((f) => (f as { event?: string }).event === "phx_reply", "v1 join reply");

    sender.send(userBroadcastPush("1", "5", "realtime:room-b", "cursor", { x: 3 }));
    assert.deepEqual((await sender.next(replyTo("5"), "broadcast ack") as unknown[])[4], {
      status: "ok",
      response: {},
    });
    const deadline = Date.now() + 5000;
    while (!receiverV2.frames.some((f) => f instanceof ArrayBuffer) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const binary = new Uint8Array(receiverV2.frames.find((f) => f instanceof ArrayBuffer) as ArrayBuffer);
    assert.equal(binary[0], 4, "kind 4: user broadcast");
    const [topicSize, eventSize, metaSize, encoding] = binary.subarray(1, 5);
    const text = new TextDecoder();
    assert.equal(text.decode(binary.subarray(5, 5 + topicSize)), "realtime:room-b");
    assert.equal(text.decode(binary.subarray(5 + topicSize, 5 + topicSize + eventSize)), "cursor");
    assert.equal(metaSize, 0);
    assert.equal(encoding, 1, "JSON encoded");
    assert.deepEqual(JSON.parse(text.decode(binary.subarray(5 + topicSize + eventSize))), { x: 3 });
    assert.deepEqual(
      await receiverV1.next((f) => (f as { event?: string }).event === "broadcast", "v1 broadcast"),
      {
        topic: "realtime:room-b",
        event: "broadcast",
        payload: { event: "cursor", payload: { x: 3 }, type: "broadcast" },
        ref: null,
      },
    );
    assert.ok(!sender.frames.some((f) => f instanceof ArrayBuffer), "self: false keeps it from the sender");
  } finally {
    sender.close();
    receiverV2.close();
    receiverV1.close();
  }
});

dbTest("malformed and oversized frames close only their own socket", async () => {
  const bystander = await RawSocket.open();
  try {
    await join(bystander, "realtime:bystander", {});
    for (
      const [frame, code] of [
        ["{not json", 1007],
        ['{"an":"object on a 2.0.0 socket"}', 1007],
        [new Uint8Array([9, 1, 2, 3]), 1007],
        [new Uint8Array([3, 200, 0, 0, 0, 0, 1]), 1007],
        ["x".repeat(5_000_001), 1009],
      ] as const
    ) {
      const socket = await RawSocket.open();
      socket.send(frame);
      assert.equal((await socket.closedWith()).code, code);
    }
    bystander.send(JSON.stringify([null, "9", "phoenix", "heartbeat", {}]));
    await bystander.next(replyTo("9"), "the bystander's heartbeat reply");
  } finally {
    bystander.close();
  }
});

dbTest("a flood of joins from one connection is refused and disconnected", async () => {
  const socket = await RawSocket.open();
  const other = await RawSocket.open();
  try {
    for (let i = 0; i < 150; i++) {
      socket.send(JSON.stringify([`${i}`, `${i}`, `realtime:flood-${i}`, "phx_join", {}]));
    }
    await socket.next(
      (f) =>
        Array.isArray(f) && f[3] === "phx_reply" &&
        f[4]?.response?.reason === "ClientJoinRateLimitReached: Too many joins per second",
      "the rate-limit reply",
    );
    await socket.closedWith();
    const [, , , , reply] = await join(other, "realtime:after-the-flood", {});
    assert.equal(reply.status, "ok", "other connections still join");
  } finally {
    socket.close();
    other.close();
  }
});

dbTest("a joined channel whose token expires gets the system error and phx_close", async () => {
  const socket = await RawSocket.open();
  try {
    const shortLived = await tokenFor("admin", { expiresIn: 2 });
    const [, , , , joined] = await join(socket, "realtime:leads:dashboard", {
      config: { private: true },
      access_token: shortLived,
    });
    assert.equal(joined.status, "ok");
    const [, , topic, , system] = await socket.next(
      (f) => Array.isArray(f) && f[3] === "system",
      "the expiry push",
    ) as [string, null, string, string, { status: string; message: string; channel: string }];
    assert.equal(topic, "realtime:leads:dashboard");
    assert.equal(system.status, "error");
    assert.match(system.message, /^Token has expired \d+ seconds ago$/);
    assert.equal(system.channel, "leads:dashboard");
    assert.deepEqual(await socket.next((f) => Array.isArray(f) && f[3] === "phx_close", "phx_close"), [
      "1",
      "1",
      "realtime:leads:dashboard",
      "phx_close",
      {},
    ]);
  } finally {
    socket.close();
  }
});
