/** The refresh state machine with a fake loader and a fake clock (HTTP is covered elsewhere). */
import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { MetricsRegistry } from '../metrics/metrics-registry.js';
import { KeysUnavailableError } from './auth-errors.js';
import { AuthMetrics } from './auth-metrics.js';
import { JwksCache, type JwksCacheOptions } from './jwks-cache.js';

Logger.overrideLogger(false);

const jwkA = {
  ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
  kid: 'a',
};
const jwkB = {
  ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
  kid: 'b',
};

function harness(overrides: Partial<JwksCacheOptions> = {}) {
  const h = {
    now: 1_000_000,
    calls: 0,
    doc: { keys: [jwkA] } as unknown,
    fail: false,
    cache: undefined as unknown as JwksCache,
  };
  h.cache = new JwksCache({
    issuer: 'https://iss.test/',
    builtIn: false,
    clock: () => h.now,
    loader: async () => {
      h.calls++;
      if (h.fail) throw new Error('boom');
      return h.doc;
    },
    ttlMs: 300_000,
    maxStaleMs: 86_400_000,
    minRefreshIntervalMs: 30_000,
    failedRefreshRetryMs: 5_000,
    noKeysRetryIntervalMs: 5_000,
    loadTimeoutMs: 200,
    metrics: new AuthMetrics(new MetricsRegistry({ processMetrics: false })),
    ...overrides,
  });
  return h;
}

describe('JwksCache', () => {
  it('reports "down, not fetched yet" before the first fetch and "ok" after warm-up', async () => {
    const h = harness();
    const s0 = h.cache.status(); // status() itself kicks the first fetch
    expect(s0).toMatchObject({
      state: 'down',
      keyCount: 0,
      lastGoodFetchAt: null,
      lastError: 'keys not fetched yet',
    });
    await h.cache.whenIdle();
    expect(h.calls).toBe(1);
    expect(h.cache.status()).toMatchObject({ state: 'ok', keyCount: 1, lastError: null });
  });

  it('retries an issuer without keys no more often than the no-keys interval', async () => {
    const h = harness();
    h.fail = true;
    await expect(h.cache.getKeys('a')).rejects.toBeInstanceOf(KeysUnavailableError);
    h.now += 4_000;
    await expect(h.cache.getKeys('a')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(h.calls).toBe(1);
    h.fail = false;
    h.now += 1_000;
    await expect(h.cache.getKeys('a')).resolves.toHaveLength(1);
    expect(h.calls).toBe(2);
  });

  it('sets Retry-After from the time left until the next attempt', async () => {
    const h = harness({ noKeysRetryIntervalMs: 20_000 });
    h.fail = true;
    const e = (await h.cache.getKeys('a').catch((x: unknown) => x)) as KeysUnavailableError;
    expect(e.headers?.['Retry-After']).toBe('20');
  });

  it('lets invalidate() bypass the unknown-kid cooldown once', async () => {
    const h = harness();
    await h.cache.getKeys('a');
    expect(await h.cache.getKeys('x')).toHaveLength(0); // an unknown kid: one fetch, then the cooldown
    expect(h.calls).toBe(2);
    h.doc = { keys: [jwkA, jwkB] };
    h.now += 1_000;
    expect(await h.cache.getKeys('b')).toHaveLength(0);
    expect(h.calls).toBe(2);
    h.cache.invalidate();
    expect(await h.cache.getKeys('b')).toHaveLength(1);
    expect(h.calls).toBe(3);
  });

  it('keeps key identity across a refresh when the key did not change, and drops removed keys', async () => {
    const h = harness();
    const [a1] = await h.cache.getKeys('a');
    h.now += 301_000;
    await h.cache.refresh();
    const [a2] = await h.cache.getKeys('a');
    expect(a2).toBe(a1);
    expect(h.cache.isCurrentKey('a', a1)).toBe(true);
    h.doc = { keys: [jwkB] };
    await h.cache.refresh();
    expect(h.cache.isCurrentKey('a', a1)).toBe(false);
  });

  it('stops vouching for cached keys beyond the stale window', async () => {
    const h = harness();
    const t0 = h.now;
    const [a] = await h.cache.getKeys('a');
    h.fail = true;
    h.now += 301_000;
    expect(await h.cache.getKeys('a')).toEqual([a]); // the refresh fails: stale-if-error
    h.now = t0 + 86_400_000;
    expect(h.cache.isCurrentKey('a', a)).toBe(true);
    h.now += 1;
    expect(h.cache.isCurrentKey('a', a)).toBe(false);
    expect(h.cache.status().state).toBe('down');
  });

  it('shares one in-flight fetch among concurrent cold lookups', async () => {
    const h = harness();
    const all = await Promise.all(Array.from({ length: 50 }, () => h.cache.getKeys('a')));
    expect(all.every((k) => k.length === 1)).toBe(true);
    expect(h.calls).toBe(1);
  });

  it('treats a key source that never answers as a failed load', async () => {
    const h = harness({ loader: () => new Promise(() => undefined) });
    const started = Date.now();
    await expect(h.cache.getKeys('a')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(h.cache.status().lastError).toBe('timed out after 200 ms');
  });

  it('reports the usable key count and key age for the metrics gauges', async () => {
    const h = harness();
    expect(h.cache.keyAgeSeconds()).toBeNull();
    await h.cache.getKeys('a');
    h.now += 12_500;
    expect(h.cache.keyAgeSeconds()).toBe(12.5);
    expect(h.cache.usableKeyCount()).toBe(1);
    h.now += 86_400_000;
    expect(h.cache.usableKeyCount()).toBe(0);
    h.cache.close();
  });

  describe('two clocks (DESIGN §11)', () => {
    it('refreshes on the TTL even right after an unknown-kid refresh (issue 17 #4)', async () => {
      const h = harness({ ttlMs: 10_000 });
      await h.cache.getKeys('a');
      h.now += 4_000;
      expect(await h.cache.getKeys('unknown')).toHaveLength(0); // kid-miss fetch (2)
      h.now += 10_000; // 10 s after that fetch, inside the 30 s kid cooldown
      expect(h.cache.keysAtHand('a')).toHaveLength(1); // served, and a TTL refresh starts
      await h.cache.whenIdle();
      expect(h.calls).toBe(3);
      expect(await h.cache.getKeys('other-unknown')).toHaveLength(0); // the kid cooldown still holds
      expect(h.calls).toBe(3);
    });

    it('retries a failed TTL refresh on its own short clock while the last good keys serve', async () => {
      const h = harness({ ttlMs: 10_000 });
      await h.cache.getKeys('a');
      h.fail = true;
      h.now += 10_000;
      h.cache.keysAtHand('a');
      await h.cache.whenIdle();
      expect(h.calls).toBe(2);
      h.now += 4_000;
      expect(h.cache.keysAtHand('a')).toHaveLength(1); // stale-if-error
      await h.cache.whenIdle();
      expect(h.calls).toBe(2);
      h.now += 1_000; // failedRefreshRetryMs after the failure, not the 30 s kid cooldown
      h.fail = false;
      h.doc = { keys: [jwkB] };
      h.cache.keysAtHand('a');
      await h.cache.whenIdle();
      expect(h.calls).toBe(3);
      expect(h.cache.keysAtHand('a')).toBeUndefined();
    });

    it('does not use keys past TTL + fetch time until a refresh was tried (no traffic in between)', async () => {
      const h = harness({ ttlMs: 10_000 });
      const [a] = await h.cache.getKeys('a');
      h.doc = { keys: [jwkB] }; // the issuer drops key a
      h.now += 10_000 + 200; // TTL + loadTimeoutMs, and nobody asked in between
      expect(h.cache.keysAtHand('a')).toBeUndefined();
      expect(h.cache.isCurrentKey('a', a)).toBe(false);
      expect(await h.cache.getKeys('a')).toHaveLength(0); // refreshed first, then refused
      expect(await h.cache.getKeys('b')).toHaveLength(1);
      expect(h.calls).toBe(2);
    });
  });
});
