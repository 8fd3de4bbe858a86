/**
 * A short-lived cache in front of `userForToken`: an API client sending many requests (a pipeline
 * submitting jobs) costs one token lookup per TTL instead of a SELECT and an UPDATE per request,
 * which was the largest share of database round trips on POST /annotations.
 *
 * Staleness is bounded and revocation is immediate where it matters:
 * - an entry lives `ttlMs` (default 5 s), so a tier change made elsewhere shows within that;
 * - revoking a token or saving a profile through this service drops the user's entries at once,
 *   and tells every other process over `changes` (LISTEN/NOTIFY locally), which drop them too;
 * - unknown tokens are never cached, so a revoked token fails as soon as its entry is dropped.
 */
import type { AccountsService, TokenUser } from "./accounts.service.ts";
import { hashSecret } from "./accounts.service.ts";

/** Cross-process "this user's tokens or profile changed" events. */
export interface AccountChanges {
  publish(userId: string): Promise<void>;
  /** Resolves once listening; returns the unsubscribe function. */
  subscribe(onUserId: (userId: string) => void): Promise<() => Promise<void>>;
}

export interface TokenCacheOptions {
  ttlMs?: number;
  /** Entries kept at most (oldest dropped first). */
  maxEntries?: number;
  changes?: AccountChanges;
  now?: () => number;
}

/** Wrap `accounts` so `userForToken` is cached; `close()` stops listening for changes. */
export async function withTokenCache(
  accounts: AccountsService,
  opts: TokenCacheOptions = {},
): Promise<AccountsService & { close(): Promise<void> }> {
  const ttl = opts.ttlMs ?? 5000;
  const max = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  // Keyed by the token's hash, so the process never keeps bearer secrets in a long-lived map.
  const entries = new Map<string, { user: TokenUser; expires: number }>();
  // Concurrent first requests with the same token share one lookup.
  const pending = new Map<string, Promise<TokenUser | null>>();
  // Bumped on every change: a lookup that started before a revocation is not cached after it.
  let epoch = 0;

  const forget = (userId: string) => {
    epoch++;
    pending.clear(); // requests after the change do not join a lookup that began before it
    for (const [key, e] of entries) if (e.user.id === userId) entries.delete(key);
  };
  const unsubscribe = opts.changes ? await opts.changes.subscribe(forget) : null;
  const changed = async (userId: string) => {
    forget(userId);
    await opts.changes?.publish(userId);
  };

  async function lookup(key: string, token: string): Promise<TokenUser | null> {
    const started = epoch;
    const user = await accounts.userForToken(token);
    if (user && started === epoch) {
      entries.set(key, { user, expires: now() + ttl });
      if (entries.size > max) entries.delete(entries.keys().next().value!); // the oldest
    }
    return user;
  }

  return {
    ...accounts,
    async userForToken(token) {
      const key = hashSecret(token);
      const hit = entries.get(key);
      if (hit) {
        if (hit.expires > now()) return hit.user;
        entries.delete(key);
      }
      let inFlight = pending.get(key);
      if (!inFlight) {
        const p = lookup(key, token).finally(() => {
          if (pending.get(key) === p) pending.delete(key);
        });
        pending.set(key, p);
        inFlight = p;
      }
      return inFlight;
    },
    async revokeApiToken(userId, tokenId) {
      const revoked = await accounts.revokeApiToken(userId, tokenId);
      if (revoked) await changed(userId);
      return revoked;
    },
    async updateProfile(userId, input) {
      const user = await accounts.updateProfile(userId, input);
      await changed(userId);
      return user;
    },
    async setTier(userId, tier, o) {
      const user = await accounts.setTier(userId, tier, o);
      await changed(userId); // API clients see the new tier at once, in every process
      return user;
    },
    async close() {
      entries.clear();
      await unsubscribe?.();
    },
  };
}
