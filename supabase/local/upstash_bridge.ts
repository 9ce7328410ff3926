// Speaks Upstash's REST protocol in front of a local Redis 7, so @upstash/redis and
// @upstash/ratelimit run unchanged:
//   POST /            body ["SET","k","v"]              -> {"result": ...} | {"error": "..."} (400)
//   POST /pipeline    body [["INCR","a"],["GET","a"]]  -> [{"result"}|{"error"}, ...]
//   POST /multi-exec  the same, run inside MULTI/EXEC
//   GET|POST /<cmd>/<arg>/...                           path form of a single command
// Auth is `Authorization: Bearer <token>`. With `Upstash-Encoding: base64` every string in a result
// except "OK" is base64, as Upstash sends it.
//
// @upstash/ratelimit >= 2.1 starts its Lua scripts with `#!lua flags=allow-key-locking`, a flag only
// Upstash knows; Redis 7 refuses it. The bridge drops flags Redis does not know before EVAL and
// SCRIPT LOAD and remembers which stripped script each original SHA1 stands for, so the client's
// EVALSHA (computed over the original text) keeps hitting the script cache: one round trip a call.
import { RespError, type RespPool, RespSimple, type RespValue } from "./resp.ts";

const REDIS_SCRIPT_FLAGS = new Set([
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
]);

export function stripUnknownScriptFlags(script: string): string {
  const match = script.match(/^#!(\w+)([^\n]*)/);
  if (!match) return script;
  const [firstLine, engine, rest] = match;
  const flagsMatch = rest.match(/flags=([^\s]*)/);
  if (!flagsMatch) return script;
  const kept = flagsMatch[1].split(",").filter((flag) => REDIS_SCRIPT_FLAGS.has(flag.trim()));
  const header = kept.length ? `#!${engine} flags=${kept.join(",")}` : `#!${engine}`;
  return header + script.slice(firstLine.length);
}

export async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

type Command = Array<string | number>;

export class UpstashBridge {
  /** SHA1 of the script text a client sent -> SHA1 of the script Redis actually cached. */
  #scriptAliases = new Map<string, string>();

  constructor(private pool: RespPool, private token: string) {}

  /** Rewrites EVAL/EVALSHA/SCRIPT LOAD so Upstash-only script flags never reach Redis. */
  async #rewrite(command: Command): Promise<Command> {
    const name = String(command[0] ?? "").toUpperCase();
    if ((name === "EVAL" || name === "EVAL_RO") && typeof command[1] === "string") {
      const stripped = stripUnknownScriptFlags(command[1]);
      if (stripped !== command[1]) {
        this.#scriptAliases.set(await sha1Hex(command[1]), await sha1Hex(stripped));
        return [command[0], stripped, ...command.slice(2)];
      }
    }
    if ((name === "EVALSHA" || name === "EVALSHA_RO") && typeof command[1] === "string") {
      const alias = this.#scriptAliases.get(command[1].toLowerCase());
      if (alias) return [command[0], alias, ...command.slice(2)];
    }
    if (name === "SCRIPT" && String(command[1]).toUpperCase() === "LOAD" && typeof command[2] === "string") {
      const stripped = stripUnknownScriptFlags(command[2]);
      if (stripped !== command[2]) {
        this.#scriptAliases.set(await sha1Hex(command[2]), await sha1Hex(stripped));
        return [command[0], command[1], stripped];
      }
    }
    return command;
  }

  /** SCRIPT LOAD answers the SHA1 the client computed, not the stripped script's. */
  async #restoreScriptHash(command: Command, reply: RespValue | RespSimple): Promise<RespValue | RespSimple> {
    const isLoad = String(command[0]).toUpperCase() === "SCRIPT" &&
      String(command[1]).toUpperCase() === "LOAD";
    return isLoad && typeof command[2] === "string" && reply instanceof Uint8Array
      ? new TextEncoder().encode(await sha1Hex(command[2]))
      : reply;
  }

  async run(commands: Command[], transactional: boolean): Promise<Array<RespValue | RespSimple>> {
    const rewritten = await Promise.all(commands.map((command) => this.#rewrite(command)));
    if (!transactional) {
      const replies = await this.pool.send(rewritten);
      return Promise.all(replies.map((reply, i) => this.#restoreScriptHash(commands[i], reply)));
    }
    const replies = await this.pool.send([["MULTI"], ...rewritten, ["EXEC"]]);
    const queued = replies.slice(1, -1);
    const firstError = queued.find((reply) => reply instanceof RespError);
    const exec = replies[replies.length - 1];
    if (firstError) return commands.map(() => firstError);
    if (exec instanceof RespError || !Array.isArray(exec)) {
      return commands.map(() => new RespError(String(exec)));
    }
    return exec;
  }

  async handle(request: Request): Promise<Response> {
    const auth = request.headers.get("authorization") ?? "";
    if (auth !== `Bearer ${this.token}`) return Response.json({ error: "Unauthorized" }, { status: 401 });
    const base64 = request.headers.get("upstash-encoding")?.toLowerCase() === "base64";
    const path = new URL(request.url).pathname;
    let body: unknown;
    try {
      const text = request.method === "POST" ? await request.text() : "";
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return Response.json({ error: "ERR failed to parse JSON body" }, { status: 400 });
    }
    try {
      if (path === "/pipeline" || path === "/multi-exec") {
        if (!Array.isArray(body) || !body.every(isCommand)) {
          return Response.json({ error: "ERR body must be an array of commands" }, { status: 400 });
        }
        const replies = await this.run(body, path === "/multi-exec");
        return Response.json(replies.map((reply) => toEntry(reply, base64)));
      }
      const command = path === "/" ? body : [
        ...path.split("/").filter(Boolean).map(decodeURIComponent),
        ...(body === undefined ? [] : [typeof body === "string" ? body : JSON.stringify(body)]),
      ];
      if (!isCommand(command)) {
        return Response.json({ error: "ERR body must be a command array" }, { status: 400 });
      }
      const [reply] = await this.run([command], false);
      const entry = toEntry(reply, base64);
      return Response.json(entry, { status: "error" in entry ? 400 : 200 });
    } catch (error) {
      return Response.json({ error: `ERR redis unavailable: ${(error as Error).message}` }, { status: 503 });
    }
  }
}

function isCommand(value: unknown): value is Command {
  return Array.isArray(value) && value.length > 0 &&
    value.every((part) => typeof part === "string" || typeof part === "number");
}

function encodeResult(value: RespValue | RespSimple, base64: boolean): unknown {
  if (value instanceof RespSimple) return base64 && value.value !== "OK" ? btoa(value.value) : value.value;
  if (value instanceof Uint8Array) {
    if (base64) return btoa(Array.from(value, (b) => String.fromCharCode(b)).join(""));
    return new TextDecoder().decode(value);
  }
  if (value instanceof RespError) return null;
  if (Array.isArray(value)) return value.map((item) => encodeResult(item, base64));
  return value;
}

function toEntry(reply: RespValue | RespSimple, base64: boolean): { result: unknown } | { error: string } {
  return reply instanceof RespError ? { error: reply.message } : { result: encodeResult(reply, base64) };
}
