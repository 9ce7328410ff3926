// The local Realtime: a WebSocket endpoint speaking Phoenix channels as supabase/realtime does
// (RealtimeWeb.UserSocket, RealtimeWeb.RealtimeChannel), for Broadcast. Connect with
// `?apikey=<jwt>&vsn=2.0.0|1.0.0`; join `realtime:<topic>` with `config.private` and `access_token`;
// private joins are authorized by the RLS probe in authorization.ts; `access_token` refreshes the
// channel's token and closes it when read permission is lost; committed rows of realtime.messages
// (replication.ts) and client broadcasts fan out to the joined channels of the same topic and privacy.
// POST /api/broadcast (REST) fans out without the database, as upstream. Presence and postgres_changes
// are not served here: a join that asks for postgres_changes is told so
// with a `system` error push, as the real server reports a failed subscription.
import type postgres from "postgres";
import { log } from "../../../shared/log.ts";
import { AuthorizationError, canWriteBroadcast, type Policies, readPolicies } from "./authorization.ts";
import {
  type ClientMessage,
  decodeFrame,
  encodeMessage,
  encodeReply,
  encodeUserBroadcast,
  FrameError,
  SUPPORTED_VSN,
  type UserBroadcastPush,
  type Vsn,
} from "./protocol.ts";
import type { MessageRow } from "./replication.ts";
import { type Claims, TokenError, type TokenVerifier } from "./tokens.ts";

export interface RealtimeLimits {
  /** Tenant default max_channels_per_client. */
  maxChannelsPerClient: number;
  /** Joins one connection may make per second before it is disconnected. */
  maxJoinsPerSecond: number;
  /** Largest frame accepted (RealtimeWeb.Endpoint: cowboy max_frame_size 5_000_000, else close 1009). */
  maxFrameBytes: number;
  /** Largest REST broadcast body (tenant default max_payload_size_in_kb is 3000). */
  maxPayloadBytes: number;
  /** How often a joined channel re-checks its token (Realtime: every 5 minutes, or at expiry). */
  confirmTokenMs: number;
}

export const DEFAULT_LIMITS: RealtimeLimits = {
  maxChannelsPerClient: 100,
  maxJoinsPerSecond: 100,
  maxFrameBytes: 5_000_000,
  maxPayloadBytes: 3000 * 1024,
  confirmTokenMs: 5 * 60 * 1000,
};

interface Channel {
  connection: Connection;
  topic: string;
  subTopic: string;
  joinRef: string | null;
  private: boolean;
  self: boolean;
  ack: boolean;
  accessToken: string;
  claims: Claims;
  policies: Policies | null;
  canWrite: boolean | null;
  confirmTimer?: ReturnType<typeof setTimeout>;
}

interface Connection {
  id: number;
  ws: WebSocket;
  vsn: Vsn;
  tenantToken: string;
  headers: Record<string, string>;
  channels: Map<string, Channel>;
  joinTimes: number[];
  queue: Promise<void>;
  closed: boolean;
}

const PHOENIX = "phoenix";

const errorResponse = (status: number, message: string) => Response.json({ error: message }, { status });

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Realtime.Channels.Payloads.FlexibleBoolean: true, "true" and "1" count as true. */
const flexibleTrue = (value: unknown) => value === true || value === "true" || value === 1 || value === "1";

export class RealtimeServer {
  readonly #subscribers = new Map<string, Set<Channel>>();
  readonly #connections = new Set<Connection>();
  #nextId = 1;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly sql: postgres.Sql,
    private readonly limits: RealtimeLimits = DEFAULT_LIMITS,
  ) {}

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** `GET /realtime/v1/websocket` (Kong's path for the server's `/socket/websocket`). */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const token = request.headers.get("x-api-key") ?? url.searchParams.get("apikey");
    if (!token) return errorResponse(401, "API key is missing");
    const vsn = (url.searchParams.get("vsn") ?? "1.0.0") as Vsn;
    if (!SUPPORTED_VSN.includes(vsn)) return errorResponse(400, `Unsupported serializer vsn ${vsn}`);
    try {
      await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenError) {
        const message = error.code === "InvalidJWTToken" && error.detail.startsWith("Token has expired")
          ? "Token has expired"
          : error.detail;
        return errorResponse(401, message);
      }
      throw error;
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      // The gateway checks a handshake with a plain GET before it relays the upgrade.
      return request.headers.has("x-realtime-preflight")
        ? new Response(null, { status: 426, headers: { upgrade: "websocket" } })
        : errorResponse(400, "Expected a WebSocket upgrade");
    }
    // RealtimeChannel passes the upgrade's x- headers to policies as request.headers.
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) {
      if (name.startsWith("x-")) headers[name] = value;
    }
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
    socket.binaryType = "arraybuffer";
    const connection: Connection = {
      id: this.#nextId++,
      ws: socket,
      vsn,
      tenantToken: token,
      headers,
      channels: new Map(),
      joinTimes: [],
      queue: Promise.resolve(),
      closed: false,
    };
    socket.onopen = () => this.#connections.add(connection);
    socket.onmessage = (event) => this.#receive(connection, event.data);
    socket.onclose = () => this.#drop(connection);
    socket.onerror = () => {};
    return response;
  }

  /**
   * `POST /api/broadcast` (Realtime.Tenants.BatchBroadcast) with `{"messages": [{topic, event, payload,
   * private}]}`, and the single-message `POST /api/broadcast/<topic>/events/<event>[?private=true]`
   * that realtime-js's httpSend uses. Public messages go straight to the topic's public channels;
   * private ones only when the caller's token passes the topic's write policy (else dropped, as
   * upstream does). 202 with an empty body.
   */
  async broadcastApi(request: Request): Promise<Response> {
    if (request.method !== "POST") return errorResponse(405, "Method not allowed");
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const token = bearer ?? request.headers.get("apikey");
    if (!token) return Response.json({ message: "Missing authorization" }, { status: 401 });
    let claims: Claims;
    try {
      claims = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenError) return Response.json({ message: error.detail }, { status: 401 });
      throw error;
    }
    const url = new URL(request.url);
    const single = url.pathname.match(/\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/);
    const text = await request.text();
    if (text.length > this.limits.maxPayloadBytes) {
      return Response.json({ errors: { payload: ["Payload size exceeds tenant limit"] } }, { status: 422 });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return Response.json({ errors: { detail: ["Malformed JSON body"] } }, { status: 400 });
    }
    const messages = single
      ? [{
        topic: decodeURIComponent(single[1]),
        event: decodeURIComponent(single[2]),
        payload: body,
        private: url.searchParams.get("private") === "true",
      }]
      : isObject(body) && Array.isArray(body.messages)
      ? body.messages
      : null;
    if (!messages || messages.length === 0) {
      return Response.json({ errors: { messages: ["can't be blank"] } }, { status: 422 });
    }
    const invalid = messages.findIndex((m) =>
      !isObject(m) || typeof m.topic !== "string" || m.topic === "" || typeof m.event !== "string" ||
      !isObject(m.payload) || (m.private !== undefined && typeof m.private !== "boolean")
    );
    if (invalid >= 0) {
      return Response.json({
        errors: { messages: [`message ${invalid} needs a topic, an event and an object payload`] },
      }, { status: 422 });
    }
    const writable = new Map<string, boolean>();
    for (const message of messages as Array<Record<string, unknown>>) {
      const topic = message.topic as string;
      const isPrivate = message.private === true;
      if (isPrivate) {
        if (!writable.has(topic)) {
          writable.set(
            topic,
            await canWriteBroadcast(this.sql, topic, claims).catch(() => false),
          );
        }
        if (!writable.get(topic)) continue;
      }
      const payload: Record<string, unknown> = {
        payload: message.payload,
        event: message.event,
        type: "broadcast",
      };
      if (typeof message.id === "string") payload.meta = { id: message.id };
      this.#fanOut(isPrivate, topic, null, payload);
    }
    return new Response(null, { status: 202 });
  }

  /** A committed row of realtime.messages, as ReplicationConnection hands it to the channels. */
  deliver(row: MessageRow): number {
    const channels = this.#subscribers.get(key(row.private, row.topic));
    if (!channels) return 0;
    const encoded = new Map<Vsn, string | Uint8Array | null>();
    let delivered = 0;
    for (const channel of channels) {
      if (channel.private && !channel.policies?.broadcastRead) continue;
      const vsn = channel.connection.vsn;
      if (!encoded.has(vsn)) {
        encoded.set(
          vsn,
          encodeUserBroadcast(vsn, {
            topic: channel.topic,
            event: row.event,
            payload: row.payload,
            meta: { id: row.id },
          }),
        );
      }
      const frame = encoded.get(vsn);
      if (frame !== null && frame !== undefined) delivered += this.#send(channel.connection, frame) ? 1 : 0;
    }
    return delivered;
  }

  /** Closes every socket (server shutdown). */
  closeAll(): void {
    for (const connection of this.#connections) {
      try {
        connection.ws.close(1001, "server shutting down");
      } catch {
        // already closing
      }
      this.#drop(connection);
    }
  }

  #receive(connection: Connection, data: unknown): void {
    const size = typeof data === "string" ? data.length : (data as ArrayBuffer).byteLength;
    if (size > this.limits.maxFrameBytes) {
      this.#close(connection, 1009, "Frame exceeds the maximum payload size");
      return;
    }
    let message: ClientMessage;
    try {
      message = decodeFrame(
        typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer),
        connection.vsn,
      );
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      // Phoenix's socket process crashes on an undecodable frame; here the socket closes cleanly.
      this.#close(connection, 1007, `Malformed frame: ${error.message}`);
      return;
    }
    connection.queue = connection.queue
      .then(() => this.#dispatch(connection, message))
      .catch((error) => {
        log("error", "realtime: message handling failed", { error: String(error) });
      });
  }

  async #dispatch(connection: Connection, message: ClientMessage): Promise<void> {
    if (connection.closed) return;
    if (message.topic === PHOENIX && message.event === "heartbeat") {
      this.#reply(connection, message, "ok", {});
      return;
    }
    if (message.event === "phx_join") return await this.#join(connection, message);
    const channel = connection.channels.get(message.topic);
    if (!channel || (message.joinRef !== null && channel.joinRef !== message.joinRef)) {
      this.#reply(connection, message, "error", { reason: "unmatched topic" });
      return;
    }
    switch (message.event) {
      case "phx_leave":
        this.#reply(connection, message, "ok", {});
        this.#leave(channel);
        return;
      case "access_token":
        return await this.#refreshToken(channel, message);
      case "broadcast":
        return await this.#broadcast(channel, message);
      case "presence":
        this.#reply(connection, message, "error", { reason: "Presence is not served by the local Realtime" });
        return;
      default:
        // RealtimeChannel.handle_in/3 ignores unexpected events.
        return;
    }
  }

  async #join(connection: Connection, message: ClientMessage): Promise<void> {
    const { topic } = message;
    const fail = (reason: string) => this.#reply(connection, message, "error", { reason });
    if (!topic.startsWith("realtime:")) return void fail("unmatched topic");
    const subTopic = topic.slice("realtime:".length);
    if (subTopic === "") return void fail("TopicNameRequired: You must provide a topic name");

    const now = Date.now();
    connection.joinTimes = connection.joinTimes.filter((at) => at > now - 1000);
    connection.joinTimes.push(now);
    if (connection.joinTimes.length > this.limits.maxJoinsPerSecond) {
      fail("ClientJoinRateLimitReached: Too many joins per second");
      this.#close(connection, 1008, "Too many joins per second");
      return;
    }

    const existing = connection.channels.get(topic);
    if (existing) this.#closeChannel(existing);
    if (connection.channels.size >= this.limits.maxChannelsPerClient) {
      return void fail("ChannelRateLimitReached: Too many channels");
    }

    const payload = isObject(message.payload) ? message.payload : {};
    const config = isObject(payload.config) ? payload.config : {};
    const broadcastConfig = isObject(config.broadcast) ? config.broadcast : {};
    const isPrivate = flexibleTrue(config.private);
    const offered = typeof payload.access_token === "string"
      ? payload.access_token
      : typeof payload.user_token === "string"
      ? payload.user_token
      : null;
    const accessToken = offered && !offered.startsWith("sb_") ? offered : connection.tenantToken;

    let claims: Claims;
    try {
      claims = await this.verifier.verify(accessToken);
    } catch (error) {
      if (error instanceof TokenError) return void fail(error.message);
      throw error;
    }

    let policies: Policies | null = null;
    if (isPrivate) {
      try {
        policies = await readPolicies(this.sql, subTopic, claims, connection.headers);
      } catch (error) {
        if (!(error instanceof AuthorizationError)) throw error;
        if (error.failure.code === "RlsPolicyError") {
          log("warn", "realtime: RlsPolicyError", { topic: subTopic, error: error.failure.message });
          return void fail(
            `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
          );
        }
        return void fail(error.message);
      }
      if (!policies.broadcastRead && !policies.presenceRead) {
        return void fail(
          `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
        );
      }
    }

    const replay = isObject(broadcastConfig.replay) ? broadcastConfig.replay : null;
    if (broadcastConfig.replay !== undefined && !isPrivate) {
      return void fail("UnableToReplayMessages: Replay is not allowed for public channels");
    }
    if (connection.closed) return;

    const channel: Channel = {
      connection,
      topic,
      subTopic,
      joinRef: message.joinRef ?? message.ref,
      private: isPrivate,
      self: flexibleTrue(broadcastConfig.self),
      ack: flexibleTrue(broadcastConfig.ack),
      accessToken,
      claims,
      policies,
      canWrite: null,
    };
    connection.channels.set(topic, channel);
    let channels = this.#subscribers.get(key(isPrivate, subTopic));
    if (!channels) this.#subscribers.set(key(isPrivate, subTopic), channels = new Set());
    channels.add(channel);
    this.#scheduleTokenCheck(channel);

    const requested = Array.isArray(config.postgres_changes) ? config.postgres_changes.filter(isObject) : [];
    const postgresChanges = requested.map((filter, index) => ({ ...filter, id: 10_000 + index }));
    this.#reply(connection, message, "ok", { postgres_changes: postgresChanges });
    if (postgresChanges.length > 0) {
      this.#push(channel, "system", {
        extension: "postgres_changes",
        status: "error",
        message: "postgres_changes is not served by the local Realtime; use broadcast",
        channel: subTopic,
      });
    }
    if (replay) await this.#replay(channel, replay);
  }

  /** Realtime.Messages.replay: the topic's recent private broadcasts since `since` (ms), oldest first. */
  async #replay(channel: Channel, replay: Record<string, unknown>): Promise<void> {
    const since = Number(replay.since ?? 0);
    const limit = Math.min(Math.max(Number(replay.limit ?? 25) || 25, 1), 25);
    const rows = await this.sql`
      select id, event, payload, binary_payload from (
        select id, event, payload, binary_payload, inserted_at from realtime.messages
        where topic = ${channel.subTopic} and private is true and extension = 'broadcast'
          and inserted_at >= to_timestamp(${since / 1000})::timestamp
        order by inserted_at desc limit ${limit}
      ) recent order by inserted_at`;
    for (const row of rows) {
      const payload = row.binary_payload instanceof Uint8Array
        ? row.binary_payload
        : JSON.stringify(row.payload);
      const frame = encodeUserBroadcast(channel.connection.vsn, {
        topic: channel.topic,
        event: row.event,
        payload,
        meta: { replayed: true, id: row.id },
      });
      if (frame !== null) this.#send(channel.connection, frame);
    }
  }

  async #refreshToken(channel: Channel, message: ClientMessage): Promise<void> {
    const token = isObject(message.payload) ? message.payload.access_token : undefined;
    if (token === null || token === undefined || token === channel.accessToken) return;
    if (typeof token === "string" && token.startsWith("sb_")) return;
    const previous = channel.policies;
    let claims: Claims;
    try {
      claims = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenError) return this.#shutdown(channel, error.detail);
      throw error;
    }
    channel.accessToken = token as string;
    channel.claims = claims;
    channel.canWrite = null;
    if (channel.private) {
      try {
        channel.policies = await readPolicies(this.sql, channel.subTopic, claims, channel.connection.headers);
      } catch (error) {
        if (!(error instanceof AuthorizationError)) throw error;
        return this.#shutdown(channel, "Realtime was unable to connect to the project database");
      }
      const revoked = (previous?.broadcastRead && !channel.policies.broadcastRead) ||
        (previous?.presenceRead && !channel.policies.presenceRead);
      if (revoked) {
        return this.#shutdown(
          channel,
          `You no longer have permission to read from this Channel topic: ${channel.subTopic}`,
        );
      }
    }
    this.#scheduleTokenCheck(channel);
  }

  async #broadcast(channel: Channel, message: ClientMessage): Promise<void> {
    const payload = message.payload;
    if (channel.private) {
      if (channel.canWrite === null) {
        try {
          channel.canWrite = await canWriteBroadcast(
            this.sql,
            channel.subTopic,
            channel.claims,
            channel.connection.headers,
          );
        } catch (error) {
          if (!(error instanceof AuthorizationError)) throw error;
          log("warn", "realtime: broadcast authorization failed", { error: error.message });
          return;
        }
      }
      if (!channel.canWrite) return;
    }
    this.#fanOut(channel.private, channel.subTopic, channel.self ? null : channel, payload);
    if (channel.ack) this.#reply(channel.connection, message, "ok", {});
  }

  /** A broadcast to every channel of the topic and privacy that may read it, except `skip`. */
  #fanOut(isPrivate: boolean, subTopic: string, skip: Channel | null, payload: unknown): void {
    const channels = this.#subscribers.get(key(isPrivate, subTopic));
    if (!channels) return;
    const encoded = new Map<Vsn, string | Uint8Array | null>();
    for (const target of channels) {
      if (target === skip) continue;
      if (target.private && !target.policies?.broadcastRead) continue;
      const vsn = target.connection.vsn;
      if (!encoded.has(vsn)) encoded.set(vsn, encodeClientBroadcast(vsn, target.topic, payload));
      const frame = encoded.get(vsn);
      if (frame) this.#send(target.connection, frame);
    }
  }

  #scheduleTokenCheck(channel: Channel): void {
    clearTimeout(channel.confirmTimer);
    const untilExpiry = channel.claims.exp * 1000 - Date.now();
    channel.confirmTimer = setTimeout(async () => {
      try {
        channel.claims = await this.verifier.verify(channel.accessToken);
        this.#scheduleTokenCheck(channel);
      } catch (error) {
        this.#shutdown(channel, error instanceof TokenError ? error.detail : String(error));
      }
    }, Math.max(0, Math.min(this.limits.confirmTokenMs, untilExpiry + 1)));
  }

  /** RealtimeChannel.shutdown_response: a `system` error push, then the channel closes. */
  #shutdown(channel: Channel, message: string): void {
    this.#push(channel, "system", {
      extension: "system",
      status: "error",
      message,
      channel: channel.subTopic,
    });
    this.#closeChannel(channel);
  }

  /** The channel process stops normally: Phoenix sends phx_close with the join ref. */
  #closeChannel(channel: Channel): void {
    this.#send(
      channel.connection,
      encodeMessage(channel.connection.vsn, {
        joinRef: channel.joinRef,
        ref: channel.joinRef,
        topic: channel.topic,
        event: "phx_close",
        payload: {},
      }),
    );
    this.#leave(channel);
  }

  #leave(channel: Channel): void {
    clearTimeout(channel.confirmTimer);
    if (channel.connection.channels.get(channel.topic) === channel) {
      channel.connection.channels.delete(channel.topic);
    }
    const channels = this.#subscribers.get(key(channel.private, channel.subTopic));
    channels?.delete(channel);
    if (channels?.size === 0) this.#subscribers.delete(key(channel.private, channel.subTopic));
  }

  #push(channel: Channel, event: string, payload: unknown): void {
    this.#send(
      channel.connection,
      encodeMessage(channel.connection.vsn, {
        joinRef: channel.joinRef,
        ref: null,
        topic: channel.topic,
        event,
        payload,
      }),
    );
  }

  #reply(connection: Connection, message: ClientMessage, status: "ok" | "error", response: unknown): void {
    this.#send(connection, encodeReply(connection.vsn, message, status, response));
  }

  #send(connection: Connection, frame: string | Uint8Array): boolean {
    if (connection.closed || connection.ws.readyState !== WebSocket.OPEN) return false;
    try {
      connection.ws.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  #close(connection: Connection, code: number, reason: string): void {
    try {
      connection.ws.close(code, reason);
    } catch {
      // already closing
    }
    this.#drop(connection);
  }

  #drop(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    this.#connections.delete(connection);
    for (const channel of [...connection.channels.values()]) this.#leave(channel);
  }
}

const key = (isPrivate: boolean, subTopic: string) => `${isPrivate ? "private" : "public"}:${subTopic}`;

/** A client broadcast as the other subscribers receive it (BroadcastHandler.build_broadcast). */
function encodeClientBroadcast(vsn: Vsn, topic: string, payload: unknown): string | Uint8Array | null {
  if (isObject(payload) && payload.type === "broadcast" && "binary" in payload) {
    const push = payload as unknown as UserBroadcastPush;
    const body = push.binary ? push.payload as Uint8Array : JSON.stringify(push.payload ?? {});
    return encodeUserBroadcast(vsn, { topic, event: push.event, payload: body, meta: null });
  }
  return encodeMessage(vsn, { joinRef: null, ref: null, topic, event: "broadcast", payload });
}
