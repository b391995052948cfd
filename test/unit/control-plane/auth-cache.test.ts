import { AuthCache, type InvalidationFeed } from '../../../schema/common/auth-cache';
import type { Caller } from '../../../schema/common/context';
import { API_KEY_REVOKED, TENANT_CHANGED } from '../../../src/db/shared-state/instance-bus';

/** An in-memory stand-in for the instance bus: tests deliver notifications by hand. */
function fakeFeed() {
  const handlers = new Map<string, Array<(payload: string) => void>>();
  const reconnects: Array<() => void> = [];
  let up = true;
  const feed: InvalidationFeed = {
    on: (channel, handler) => handlers.set(channel, [...(handlers.get(channel) ?? []), handler]),
    onReconnect: (handler) => reconnects.push(handler),
    connected: () => up,
  };
  return {
    feed,
    notify: (channel: string, payload: string) => handlers.get(channel)?.forEach((handler) => handler(payload)),
    reconnect: () => reconnects.forEach((handler) => handler()),
    setUp: (value: boolean) => (up = value),
  };
}

function caller(apiKeyId: string, tenantId = 'tenant-a'): Caller {
  return { tenantId, apiKeyId, scopes: ['analytics:view'], actor: `apikey:${apiKeyId}` };
}

describe('AuthCache', () => {
  it('keeps lookups for ttlMs, never past notAfter', () => {
    const cache = new AuthCache(5000, fakeFeed().feed);
    cache.set('key-hash', caller('k1'), cache.begin(), 1000);
    cache.set('session:s1', caller('k1'), cache.begin(), 1000, 2000);
    expect(cache.get('key-hash', 5999)).toEqual(caller('k1'));
    expect(cache.get('key-hash', 6000)).toBeUndefined();
    expect(cache.get('session:s1', 1999)).toEqual(caller('k1'));
    expect(cache.get('session:s1', 2000)).toBeUndefined();
  });

  it('remembers unknown keys as null, distinct from a miss', () => {
    const cache = new AuthCache(5000, fakeFeed().feed);
    cache.set('bad', null, cache.begin(), 0);
    expect(cache.get('bad', 1)).toBeNull();
    expect(cache.get('other', 1)).toBeUndefined();
  });

  it('drops a revoked key and the sessions opened with it, not the others', () => {
    const bus = fakeFeed();
    const cache = new AuthCache(60_000, bus.feed);
    cache.set('hash-1', caller('k1'), cache.begin(), 0);
    cache.set('session:a', caller('k1'), cache.begin(), 0);
    cache.set('hash-2', caller('k2'), cache.begin(), 0);
    bus.notify(API_KEY_REVOKED, 'k1');
    expect(cache.get('hash-1', 1)).toBeUndefined();
    expect(cache.get('session:a', 1)).toBeUndefined();
    expect(cache.get('hash-2', 1)).toEqual(caller('k2'));
    cache.forgetKey('k2');
    expect(cache.size).toBe(0);
  });

  it("drops a changed tenant's keys, everything on a reconnect", () => {
    const bus = fakeFeed();
    const cache = new AuthCache(60_000, bus.feed);
    cache.set('a', caller('k1', 'tenant-a'), cache.begin(), 0);
    cache.set('b', caller('k2', 'tenant-b'), cache.begin(), 0);
    bus.notify(TENANT_CHANGED, 'tenant-a');
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('b', 1)).toEqual(caller('k2', 'tenant-b'));
    bus.reconnect();
    expect(cache.size).toBe(0);
  });

  it('does not store a lookup that started before an invalidation (it may have read the key before its revocation)', () => {
    const bus = fakeFeed();
    const cache = new AuthCache(60_000, bus.feed);
    const started = cache.begin();
    bus.notify(API_KEY_REVOKED, 'k1');
    cache.set('hash-1', caller('k1'), started, 0);
    expect(cache.get('hash-1', 1)).toBeUndefined();
    cache.set('hash-1', caller('k1'), cache.begin(), 0);
    expect(cache.get('hash-1', 1)).toEqual(caller('k1'));
  });

  it('caches nothing without a connected feed or with ttlMs 0', () => {
    const bus = fakeFeed();
    const cache = new AuthCache(60_000, bus.feed);
    bus.setUp(false);
    cache.set('a', caller('k1'), cache.begin(), 0);
    expect(cache.size).toBe(0);
    bus.setUp(true);
    cache.set('a', caller('k1'), cache.begin(), 0);
    bus.setUp(false);
    expect(cache.get('a', 1)).toBeUndefined();
    const noFeed = new AuthCache(60_000);
    noFeed.set('a', caller('k1'), noFeed.begin(), 0);
    expect(noFeed.get('a', 1)).toBeUndefined();
    const off = new AuthCache(0, fakeFeed().feed);
    off.set('a', caller('k1'), off.begin(), 0);
    expect(off.get('a', 1)).toBeUndefined();
  });
});
