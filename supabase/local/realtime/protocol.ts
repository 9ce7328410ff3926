// Phoenix channel frames as supabase/realtime speaks them (lib/realtime_web/socket/v2_serializer.ex,
// Phoenix.Socket.V1.JSONSerializer) and @supabase/realtime-js decodes them (src/lib/serializer.ts).
//   vsn 2.0.0  text frames are JSON arrays [join_ref, ref, topic, event, payload]; binary frames carry
//              user broadcasts: kind 3 (client push) and kind 4 (server push), with byte-length headers
//   vsn 1.0.0  text frames are JSON objects {topic, event, payload, ref, join_ref}
// Hand-written because no maintained npm package speaks Realtime's binary user-broadcast kinds (the
// `phoenix` package only encodes the client side of plain Phoenix).

export type Vsn = "1.0.0" | "2.0.0";
export const SUPPORTED_VSN: readonly Vsn[] = ["1.0.0", "2.0.0"];

/** A decoded client frame. `payload` is JSON, except a binary user broadcast push. */
export interface ClientMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** A client broadcast sent as a kind-3 binary frame, decoded to what the server handles. */
export interface UserBroadcastPush {
  type: "broadcast";
  event: string;
  /** JSON value, or raw bytes for binary encoding. */
  payload: unknown;
  binary: boolean;
  meta: Record<string, unknown>;
}

export class FrameError extends Error {}

const KIND_PUSH = 0;
const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const JSON_ENCODING = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

const asRef = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === "string" ? value : String(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FrameError("frame is not valid JSON");
  }
}

/** Decodes one frame; throws FrameError on anything a Phoenix socket would refuse. */
export function decodeFrame(data: string | Uint8Array, vsn: Vsn): ClientMessage {
  if (typeof data !== "string") {
    if (vsn !== "2.0.0") throw new FrameError("binary frames need serializer vsn 2.0.0");
    return decodeBinary(data);
  }
  const parsed = parseJson(data);
  if (vsn === "2.0.0") {
    if (!Array.isArray(parsed) || parsed.length < 5) throw new FrameError("expected V2 array");
    const [joinRef, ref, topic, event, payload] = parsed;
    if (typeof topic !== "string" || typeof event !== "string") {
      throw new FrameError("topic and event must be strings");
    }
    return { joinRef: asRef(joinRef), ref: asRef(ref), topic, event, payload };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new FrameError("expected V1 object");
  }
  const message = parsed as Record<string, unknown>;
  if (typeof message.topic !== "string" || typeof message.event !== "string") {
    throw new FrameError("topic and event must be strings");
  }
  return {
    joinRef: asRef(message.join_ref),
    ref: asRef(message.ref),
    topic: message.topic,
    event: message.event,
    payload: message.payload,
  };
}

function decodeBinary(bytes: Uint8Array): ClientMessage {
  const text = (from: number, to: number) => {
    if (to > bytes.length) throw new FrameError("binary frame is shorter than its header says");
    try {
      return decoder.decode(bytes.subarray(from, to));
    } catch {
      throw new FrameError("binary frame header is not UTF-8");
    }
  };
  const kind = bytes[0];
  if (kind === KIND_USER_BROADCAST_PUSH) {
    if (bytes.length < 7) throw new FrameError("binary frame is shorter than its header");
    const [joinRefSize, refSize, topicSize, eventSize, metaSize, encoding] = bytes.subarray(1, 7);
    let offset = 7;
    const field = (size: number) => text(offset, offset += size);
    const joinRef = field(joinRefSize);
    const ref = field(refSize);
    const topic = field(topicSize);
    const userEvent = field(eventSize);
    const metaText = field(metaSize);
    const body = bytes.subarray(offset);
    const meta = metaSize > 0 ? parseJson(metaText) : {};
    if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
      throw new FrameError("broadcast metadata must be a JSON object");
    }
    let payload: unknown = body;
    if (encoding === JSON_ENCODING) {
      try {
        payload = parseJson(decoder.decode(body));
      } catch (error) {
        throw error instanceof FrameError ? error : new FrameError("broadcast payload is not UTF-8");
      }
    }
    const push: UserBroadcastPush = {
      type: "broadcast",
      event: userEvent,
      payload,
      binary: encoding !== JSON_ENCODING,
      meta: meta as Record<string, unknown>,
    };
    return { joinRef: joinRef || null, ref: ref || null, topic, event: "broadcast", payload: push };
  }
  if (kind === KIND_PUSH) throw new FrameError("binary pushes are not accepted on Realtime channels");
  throw new FrameError(`unknown binary frame kind ${kind}`);
}

/** A server push or reply as Phoenix encodes it for the socket's serializer. */
export function encodeMessage(
  vsn: Vsn,
  message: { joinRef: string | null; ref: string | null; topic: string; event: string; payload: unknown },
): string {
  if (vsn === "2.0.0") {
    return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
  }
  // Phoenix's V1 serializer writes only these four fields.
  return JSON.stringify({
    topic: message.topic,
    event: message.event,
    payload: message.payload,
    ref: message.ref,
  });
}

export function encodeReply(
  vsn: Vsn,
  request: { joinRef: string | null; ref: string | null; topic: string },
  status: "ok" | "error",
  response: unknown,
): string {
  return encodeMessage(vsn, { ...request, event: "phx_reply", payload: { status, response } });
}

function byteField(value: Uint8Array, name: string): Uint8Array {
  if (value.length > 255) throw new RangeError(`${name} must be at most 255 bytes, is ${value.length}`);
  return value;
}

/**
 * A broadcast from the database or another client. vsn 2.0.0 gets the kind-4 binary frame
 * (UserBroadcast, as RealtimeWeb.Socket.V2Serializer.fastlane!), vsn 1.0.0 the JSON broadcast that
 * UserBroadcast.convert_to_json_broadcast builds (binary payloads cannot be represented: null).
 */
export function encodeUserBroadcast(
  vsn: Vsn,
  broadcast: {
    topic: string;
    event: string;
    /** JSON text or raw bytes. */
    payload: string | Uint8Array;
    meta?: Record<string, unknown> | null;
  },
): string | Uint8Array | null {
  const isBinary = typeof broadcast.payload !== "string";
  if (vsn === "1.0.0") {
    if (isBinary) return null;
    const meta = broadcast.meta ? `,"meta":${JSON.stringify(broadcast.meta)}` : "";
    return `{"topic":${JSON.stringify(broadcast.topic)},"event":"broadcast","payload":{"event":${
      JSON.stringify(broadcast.event)
    },"payload":${broadcast.payload},"type":"broadcast"${meta}},"ref":null}`;
  }
  const topic = byteField(encoder.encode(broadcast.topic), "topic");
  const event = byteField(encoder.encode(broadcast.event), "event");
  const meta = byteField(encoder.encode(broadcast.meta ? JSON.stringify(broadcast.meta) : ""), "metadata");
  const body = typeof broadcast.payload === "string" ? encoder.encode(broadcast.payload) : broadcast.payload;
  const frame = new Uint8Array(5 + topic.length + event.length + meta.length + body.length);
  frame.set([KIND_USER_BROADCAST, topic.length, event.length, meta.length, isBinary ? 0 : JSON_ENCODING]);
  let offset = 5;
  for (const part of [topic, event, meta, body]) {
    frame.set(part, offset);
    offset += part.length;
  }
  return frame;
}
