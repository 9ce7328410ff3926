// The stand-in's frames against @supabase/realtime-js's own serializer (the version supabase-js
// pins): what the server encodes, the client decodes to the same message, and the reverse.
import assert from "node:assert/strict";
import SerializerModule from "@supabase/realtime-js/dist/module/lib/serializer.js";
import {
  decodeFrame,
  encodeMessage,
  encodeReply,
  encodeUserBroadcast,
  FrameError,
} from "../../../supabase/local/realtime/protocol.ts";

// The package's ESM build has no "type": "module", so its declarations read as CommonJS to the type
// checker, while the runtime default export is the class itself.
interface ClientSerializer {
  encode(message: never, callback: (frame: string | ArrayBuffer) => void): void;
  decode(frame: string | ArrayBuffer, callback: (message: Record<string, unknown>) => void): void;
}
const Serializer = SerializerModule as unknown as new () => ClientSerializer;
const client = new Serializer();
const clientDecode = (frame: string | Uint8Array) =>
  new Promise<Record<string, unknown>>((resolve) =>
    client.decode(
      typeof frame === "string" ? frame : new Uint8Array(frame).buffer,
      resolve,
    )
  );
const clientEncode = (message: Record<string, unknown>) =>
  new Promise<string | ArrayBuffer>((resolve) => client.encode(message as never, resolve));

Deno.test("a database broadcast (kind 4) decodes in realtime-js with its payload and meta.id", async () => {
  const frame = encodeUserBroadcast("2.0.0", {
    topic: "realtime:leads:dashboard",
    event: "lead_hot",
    payload: JSON.stringify({ id: "m-1", score: 91, name: "Zoë ☀" }),
    meta: { id: "m-1" },
  }) as Uint8Array;
  assert.deepEqual(await clientDecode(frame), {
    join_ref: null,
    ref: null,
    topic: "realtime:leads:dashboard",
    event: "broadcast",
    payload: {
      type: "broadcast",
      event: "lead_hot",
      payload: { id: "m-1", score: 91, name: "Zoë ☀" },
      meta: { id: "m-1" },
    },
  });
});

Deno.test("binary payloads stay bytes; serializer 1.0.0 cannot carry them", async () => {
  const bytes = new Uint8Array([0, 1, 2, 254, 255]);
  const frame = encodeUserBroadcast("2.0.0", { topic: "realtime:t", event: "blob", payload: bytes });
  const decoded = await clientDecode(frame as Uint8Array);
  const payload = decoded.payload as { payload: ArrayBuffer };
  assert.deepEqual(new Uint8Array(payload.payload), bytes);
  assert.equal(encodeUserBroadcast("1.0.0", { topic: "realtime:t", event: "blob", payload: bytes }), null);
});

Deno.test("serializer 1.0.0 broadcasts are the JSON object Phoenix's V1 serializer writes", () => {
  const text = encodeUserBroadcast("1.0.0", {
    topic: "realtime:t",
    event: "e",
    payload: '{"a":1}',
    meta: { id: "x" },
  }) as string;
  assert.deepEqual(JSON.parse(text), {
    topic: "realtime:t",
    event: "broadcast",
    payload: { event: "e", payload: { a: 1 }, type: "broadcast", meta: { id: "x" } },
    ref: null,
  });
});

Deno.test("replies are [join_ref, ref, topic, phx_reply, {status, response}] in 2.0.0", async () => {
  const reply = encodeReply("2.0.0", { joinRef: "3", ref: "4", topic: "realtime:t" }, "error", {
    reason: "nope",
  });
  assert.deepEqual(await clientDecode(reply), {
    join_ref: "3",
    ref: "4",
    topic: "realtime:t",
    event: "phx_reply",
    payload: { status: "error", response: { reason: "nope" } },
  });
  assert.deepEqual(
    JSON.parse(encodeMessage("1.0.0", { joinRef: "3", ref: null, topic: "t", event: "system", payload: {} })),
    { topic: "t", event: "system", payload: {}, ref: null },
  );
});

Deno.test("client frames from realtime-js decode: JSON arrays, and kind-3 broadcast pushes", async () => {
  const join = await clientEncode({
    join_ref: "1",
    ref: "1",
    topic: "realtime:t",
    event: "phx_join",
    payload: { config: { private: true } },
  });
  assert.deepEqual(decodeFrame(join as string, "2.0.0"), {
    joinRef: "1",
    ref: "1",
    topic: "realtime:t",
    event: "phx_join",
    payload: { config: { private: true } },
  });
  const push = await clientEncode({
    join_ref: "1",
    ref: "2",
    topic: "realtime:t",
    event: "broadcast",
    payload: { type: "broadcast", event: "cursor", payload: { x: "é" } },
  });
  assert.ok(push instanceof ArrayBuffer, "realtime-js sends broadcasts as binary");
  assert.deepEqual(decodeFrame(new Uint8Array(push), "2.0.0"), {
    joinRef: "1",
    ref: "2",
    topic: "realtime:t",
    event: "broadcast",
    payload: { type: "broadcast", event: "cursor", payload: { x: "é" }, binary: false, meta: {} },
  });
});

Deno.test("malformed frames are FrameErrors, never crashes", () => {
  const bad: Array<[string | Uint8Array, "1.0.0" | "2.0.0"]> = [
    ["{nope", "2.0.0"],
    ['{"topic":"t"}', "2.0.0"],
    ["[1,2,3]", "2.0.0"],
    ['[null,null,5,"e",{}]', "2.0.0"],
    ["[]", "1.0.0"],
    ['{"topic":"t","event":7}', "1.0.0"],
    [new Uint8Array([]), "2.0.0"],
    [new Uint8Array([3, 10, 0, 0, 0, 0, 1]), "2.0.0"],
    [new Uint8Array([3, 0, 0, 1, 0, 0, 1, 0xff]), "2.0.0"],
    [new Uint8Array([3, 0, 0, 0, 0, 2, 1, 0x5b, 0x5d]), "2.0.0"],
    [new Uint8Array([0, 0, 0, 0]), "2.0.0"],
    [new Uint8Array([3, 0, 0, 0, 0, 0, 1]), "1.0.0"],
  ];
  for (const [frame, vsn] of bad) assert.throws(() => decodeFrame(frame, vsn), FrameError, String(frame));
});
