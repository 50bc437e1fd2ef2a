import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";

/** One open socket's place in its API key's count; release it when the socket closes. */
export interface SocketLease {
  release(): void;
}

/**
 * Takes a slot for one socket of an API key and removes stale members first,
 * atomically: KEYS[1] the key's sorted set (member → lease expiry, in Redis's
 * own clock, so instances' clocks do not matter); ARGV: member, max, lease ms.
 * 1 when taken, 0 when the key already has `max` live sockets.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

/** Renews the leases of this instance's open sockets: KEYS the sets, ARGV[1] lease ms, ARGV[i + 1] the member in KEYS[i]. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[i + 1])
  redis.call('PEXPIRE', key, lease)
end
return #KEYS`;

/**
 * Open WebSocket connections per API key, bounded across API instances when
 * they share Redis, else on this instance. In Redis each key has a sorted set
 * of its sockets (one member per socket, scored by when its lease expires);
 * an instance renews its sockets' leases every third of the lease, so the
 * sockets of an instance that crashed stop counting once their leases expire,
 * and removes a socket's member when it closes. While Redis cannot be reached,
 * an instance counts its own sockets only (as the rate limits do).
 */
export class SocketLeases {
  /** This instance's open sockets per key (the count without Redis, and what the heartbeat renews). */
  private readonly local = new Map<string, Set<string>>();
  private readonly instance = randomUUID();
  private next = 0;
  private readonly heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly keyPrefix: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {
    if (redis) {
      this.heartbeat = setInterval(() => void this.renew(), Math.max(100, Math.floor(leaseMs / 3)));
      this.heartbeat.unref();
    }
  }

  private setOf(apiKeyId: string): string {
    return `${this.keyPrefix}:ws:${apiKeyId}`;
  }

  /** A slot for one more socket of the key, or undefined when it has `max` open (on any instance). */
  async acquire(apiKeyId: string, max: number): Promise<SocketLease | undefined> {
    const member = `${this.instance}:${++this.next}`;
    let shared = false;
    if (this.redis) {
      try {
        const taken = await this.redis.eval(ACQUIRE, 1, this.setOf(apiKeyId), member, max, this.leaseMs);
        if (taken !== 1) return undefined;
        shared = true;
      } catch (err) {
        this.logger.warn(
          { err },
          "WebSocket connection count store (Redis) failed; counting this instance only",
        );
      }
    }
    const mine = this.local.get(apiKeyId) ?? new Set<string>();
    if (!shared && mine.size >= max) return undefined;
    mine.add(member);
    this.local.set(apiKeyId, mine);
    return {
      release: () => {
        mine.delete(member);
        if (mine.size === 0 && this.local.get(apiKeyId) === mine) this.local.delete(apiKeyId);
        if (shared && this.redis)
          this.redis.zrem(this.setOf(apiKeyId), member).catch((err: unknown) => {
            // The member expires with its lease.
            this.logger.warn({ err }, "could not remove a closed WebSocket from its key's count");
          });
      },
    };
  }

  private async renew(): Promise<void> {
    if (!this.redis || this.local.size === 0) return;
    const keys: string[] = [];
    const members: string[] = [];
    for (const [apiKeyId, set] of this.local)
      for (const member of set) {
        keys.push(this.setOf(apiKeyId));
        members.push(member);
      }
    try {
      await this.redis.eval(RENEW, keys.length, ...keys, this.leaseMs, ...members);
    } catch (err) {
      this.logger.warn({ err }, "could not renew the leases of open WebSocket connections");
    }
  }

  /** Stops renewing and removes this instance's sockets from the shared counts. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    if (!this.redis || this.local.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [apiKeyId, set] of this.local) pipeline.zrem(this.setOf(apiKeyId), ...set);
    this.local.clear();
    await pipeline.exec().catch(() => undefined);
  }
}
