// A small pipelined RESP2 client for the Upstash bridge: commands are written back to back on one
// TCP connection and replies are matched to callers in order. Bulk strings stay bytes so the bridge
// can return them base64-encoded exactly as Upstash does.

export type RespValue = string | number | null | Uint8Array | RespError | RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

export class RespSimple {
  constructor(readonly value: string) {}
}

type Pending = { resolve: (value: RespValue | RespSimple) => void; reject: (error: Error) => void };

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");

export function encodeCommand(args: Array<string | number | Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = arg instanceof Uint8Array ? arg : encoder.encode(String(arg));
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Incremental RESP2 parser: feed bytes, take complete replies. */
export class RespParser {
  #buffer: Uint8Array = new Uint8Array(0);
  #offset = 0;

  feed(chunk: Uint8Array): void {
    const rest = this.#buffer.subarray(this.#offset);
    this.#buffer = rest.length ? concat([rest, chunk]) : chunk;
    this.#offset = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed. */
  next(): RespValue | RespSimple | undefined {
    const start = this.#offset;
    const value = this.#read();
    if (value === undefined) this.#offset = start;
    return value;
  }

  #line(): string | undefined {
    for (let i = this.#offset; i + 1 < this.#buffer.length; i++) {
      if (this.#buffer[i] === 13 && this.#buffer[i + 1] === 10) {
        const line = new TextDecoder().decode(this.#buffer.subarray(this.#offset, i));
        this.#offset = i + 2;
        return line;
      }
    }
    return undefined;
  }

  #read(): RespValue | RespSimple | undefined {
    const line = this.#line();
    if (line === undefined) return undefined;
    const kind = line[0];
    const body = line.slice(1);
    switch (kind) {
      case "+":
        return new RespSimple(body);
      case "-":
        return new RespError(body);
      case ":":
        return Number(body);
      case "$": {
        const length = Number(body);
        if (length < 0) return null;
        if (this.#buffer.length < this.#offset + length + 2) return undefined;
        const bytes = this.#buffer.slice(this.#offset, this.#offset + length);
        this.#offset += length + 2;
        return bytes;
      }
      case "*": {
        const count = Number(body);
        if (count < 0) return null;
        const items: RespValue[] = [];
        for (let i = 0; i < count; i++) {
          const item = this.#read();
          if (item === undefined) return undefined;
          items.push(item instanceof RespSimple ? item.value : item);
        }
        return items;
      }
      default:
        throw new Error(`unexpected RESP type byte ${JSON.stringify(kind)}`);
    }
  }
}

export class RespConnection {
  #pending: Pending[] = [];
  #parser = new RespParser();
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(private conn: Deno.TcpConn) {
    this.#readLoop();
  }

  static async open(hostname: string, port: number): Promise<RespConnection> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new RespConnection(conn);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends several commands in one write; replies come back in the same order. */
  send(commands: Array<Array<string | number | Uint8Array>>): Promise<Array<RespValue | RespSimple>> {
    if (this.#closed) return Promise.reject(new Error("redis connection closed"));
    const replies = commands.map(() =>
      new Promise<RespValue | RespSimple>((resolve, reject) => this.#pending.push({ resolve, reject }))
    );
    const payload = concat(commands.map(encodeCommand));
    this.#writes = this.#writes.then(() => this.#writeAll(payload)).catch((error) => this.#fail(error));
    return Promise.all(replies);
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.conn.write(bytes.subarray(written));
  }

  async #readLoop(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        this.#parser.feed(chunk.slice(0, n));
        let reply;
        while ((reply = this.#parser.next()) !== undefined) this.#pending.shift()?.resolve(reply);
      }
      this.#fail(new Error("redis closed the connection"));
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #fail(error: Error): void {
    this.#closed = true;
    for (const pending of this.#pending.splice(0)) pending.reject(error);
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }

  close(): void {
    this.#fail(new Error("closed"));
  }
}

/** A few pipelined connections, reopened on demand when Redis restarts. */
export class RespPool {
  #connections: Array<Promise<RespConnection> | undefined>;
  #next = 0;

  constructor(private hostname: string, private port: number, size = 4) {
    this.#connections = Array.from({ length: size }, () => undefined);
  }

  async send(commands: Array<Array<string | number | Uint8Array>>): Promise<Array<RespValue | RespSimple>> {
    const slot = this.#next++ % this.#connections.length;
    let pending = this.#connections[slot];
    if (pending) {
      const current = await pending.catch(() => undefined);
      if (!current || current.closed) pending = undefined;
    }
    if (!pending) {
      pending = RespConnection.open(this.hostname, this.port);
      this.#connections[slot] = pending;
      pending.catch(() => (this.#connections[slot] = undefined));
    }
    return (await pending).send(commands);
  }

  close(): void {
    for (const pending of this.#connections) pending?.then((c) => c.close()).catch(() => {});
  }
}
