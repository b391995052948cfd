import { RateLimiter } from '../../../src/security/rate-limiter';

describe('RateLimiter', () => {
  it('allows `limit` hits per key per window, then refuses with the seconds left, and resets after the window', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect(limiter.hit('ip:1').allowed).toBe(true);
    expect(limiter.hit('ip:1').allowed).toBe(true);
    expect(limiter.hit('ip:1')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(limiter.hit('ip:2').allowed).toBe(true);
    now += 45_000;
    expect(limiter.hit('ip:1')).toEqual({ allowed: false, retryAfterSeconds: 15 });
    now += 15_000;
    expect(limiter.hit('ip:1').allowed).toBe(true);
  });
});
