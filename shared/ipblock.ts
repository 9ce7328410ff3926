// Automated blocking of abusive client addresses (seed 000): an address with IP_BLOCK_THRESHOLD
// failed requests (refused credentials, validation failures, honeypot hits) within
// IP_BLOCK_WINDOW_SECONDS is blocked for IP_BLOCK_SECONDS. Counting and the block live in Redis (one
// script, so the count and the block cannot disagree); each block is recorded in ops.ip_blocks and
// ops.security_events for admins, who list and lift blocks through /health/ip-blocks. Like the rate
// limiter, the check fails open: Redis that does not answer in time lets the request through.
import type { Redis } from "@upstash/redis";
import { db } from "./db.ts";
import { log } from "./log.ts";
import { recordSecurityEvent } from "./security.ts";

export interface BlockSettings {
  threshold: number;
  windowSeconds: number;
  blockSeconds: number;
  /** Exact addresses and IPv4 CIDR ranges that are never blocked. */
  allowlist: string[];
}

export interface BlockStatus {
  blocked: boolean;
  /** Seconds until the block ends (0 when not blocked). */
  retryAfterSeconds: number;
}

const NOT_BLOCKED: BlockStatus = { blocked: false, retryAfterSeconds: 0 };
const CHECK_BUDGET_MS = 200;
/** How long this isolate trusts its last answer for an address: a typing client asks many times a second. */
const LOCAL_TTL_MS = 1000;
const LOCAL_ENTRIES = 10_000;

export const failureKey = (ip: string) => `ipblock:failures:${ip}`;
export const blockKey = (ip: string) => `ipblock:blocked:${ip}`;

// KEYS[1] failures, KEYS[2] block; ARGV window, threshold, block seconds. Answers 1 exactly once per
// block: on the failure that reaches the threshold while no block is in place.
const COUNT_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if failures >= tonumber(ARGV[2]) and redis.call('SET', KEYS[2], failures, 'EX', ARGV[3], 'NX') then
  redis.call('DEL', KEYS[1])
  return failures
end
return 0`;

function ipv4ToNumber(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** True when the address is on the allowlist (exact match, or inside an IPv4 CIDR entry). */
export function isAllowlisted(ip: string, allowlist: string[]): boolean {
  for (const entry of allowlist) {
    if (entry === ip) return true;
    const [range, bits] = entry.split("/");
    if (bits === undefined) continue;
    const base = ipv4ToNumber(range);
    const address = ipv4ToNumber(ip);
    const prefix = Number(bits);
    if (base === null || address === null || !(prefix >= 0 && prefix <= 32)) continue;
    const size = 2 ** (32 - prefix);
    if (Math.floor(address / size) === Math.floor(base / size)) return true;
  }
  return false;
}

export function parseAllowlist(raw: string): string[] {
  return raw.split(",").map((entry) => entry.trim()).filter(Boolean);
}

/** An address worth counting: one the kernel resolved, not the "unknown" of a request without one. */
const countable = (ip: string) => /^[0-9a-f.:]+$/i.test(ip);

export class IpBlocker {
  private readonly recent = new Map<string, { status: BlockStatus; until: number }>();

  constructor(
    private readonly redis: () => Redis,
    private readonly settings: BlockSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the address is blocked; fails open (not blocked) when Redis does not answer in time. */
  async check(ip: string): Promise<BlockStatus> {
    if (!countable(ip) || isAllowlisted(ip, this.settings.allowlist)) return NOT_BLOCKED;
    const cached = this.recent.get(ip);
    if (cached && cached.until > this.now()) return cached.status;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const ttl = await Promise.race([
        this.redis().ttl(blockKey(ip)),
        new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), CHECK_BUDGET_MS)),
      ]);
      if (ttl === "timeout") {
        log("warn", "ip block check unavailable; failing open", {
          reason: `no answer within ${CHECK_BUDGET_MS} ms`,
        });
        return NOT_BLOCKED;
      }
      const status = ttl > 0 ? { blocked: true, retryAfterSeconds: ttl } : NOT_BLOCKED;
      this.remember(ip, status, status.blocked ? Math.min(LOCAL_TTL_MS, ttl * 1000) : LOCAL_TTL_MS);
      return status;
    } catch (error) {
      log("warn", "ip block check unavailable; failing open", { reason: String(error) });
      return NOT_BLOCKED;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Counts one failed request; the one that reaches the threshold blocks the address and records the
   * block. Never throws: a failure to count is logged and the request's answer stands.
   */
  async recordFailure(ip: string, reason: string, functionName: string): Promise<boolean> {
    if (!countable(ip) || isAllowlisted(ip, this.settings.allowlist)) return false;
    try {
      const { threshold, windowSeconds, blockSeconds } = this.settings;
      const failures = Number(
        await this.redis().eval(COUNT_FAILURE, [failureKey(ip), blockKey(ip)], [
          windowSeconds,
          threshold,
          blockSeconds,
        ]),
      );
      if (!failures) return false;
      this.remember(ip, { blocked: true, retryAfterSeconds: blockSeconds }, LOCAL_TTL_MS);
      await this.recordBlock(ip, reason, failures, functionName);
      return true;
    } catch (error) {
      log("warn", "failed request not counted", { reason: String(error) });
      return false;
    }
  }

  /** Lifts a block: Redis first (so it takes effect at once), this isolate's memory too. */
  async lift(ip: string): Promise<void> {
    this.recent.delete(ip);
    await this.redis().del(blockKey(ip), failureKey(ip));
  }

  private async recordBlock(ip: string, reason: string, failures: number, functionName: string) {
    const { windowSeconds, blockSeconds } = this.settings;
    await db()`
      insert into ops.ip_blocks (ip, reason, failures, blocked_until)
      values (${ip}, ${reason}, ${failures}, now() + make_interval(secs => ${blockSeconds}))`;
    await recordSecurityEvent({
      kind: "ip_blocked",
      severity: "warning",
      ip,
      functionName,
      details: { reason, failures, windowSeconds, blockSeconds },
    });
  }

  private remember(ip: string, status: BlockStatus, ttlMs: number) {
    if (this.recent.size >= LOCAL_ENTRIES) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(ip, { status, until: this.now() + ttlMs });
  }
}
