import { Registry } from 'prom-client';
import { ProviderHealth } from '../../../src/providers/health';

function setup() {
  let time = 1_000_000;
  const registry = new Registry();
  const health = new ProviderHealth({
    windowMs: 60 * 60_000,
    failureRate: 0.5,
    minCalls: 4,
    cooldownMs: 30_000,
    now: () => time,
    registry,
  });
  return { health, registry, advance: (milliseconds: number) => (time += milliseconds) };
}

describe('provider health', () => {
  it('counts successes, failures, failure rate and latency per provider+model', () => {
    const { health } = setup();
    for (const latencyMs of [100, 200, 300]) health.record('openai', 'gpt-4o', { ok: true, latencyMs });
    health.record('openai', 'gpt-4o', { ok: false, latencyMs: 1000, errorCode: 'http_500' });
    health.record('gemini', 'gemini-2.5-flash', { ok: true, latencyMs: 50 });
    const [gemini, openai] = health.snapshot();
    expect(openai).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      successes: 3,
      failures: 1,
      calls: 4,
      failureRate: 0.25,
      averageLatencyMs: 400,
      p95LatencyMs: 1000,
      circuit: 'closed',
      lastErrorCode: 'http_500',
    });
    expect(gemini).toMatchObject({ provider: 'gemini', calls: 1, failureRate: 0 });
  });

  it('opens the circuit at 50% failures once the minimum calls were made, and not before', () => {
    const { health } = setup();
    health.record('openai', 'gpt-4o', { ok: false, latencyMs: 10 });
    health.record('openai', 'gpt-4o', { ok: false, latencyMs: 10 });
    health.record('openai', 'gpt-4o', { ok: false, latencyMs: 10 });
    expect(health.circuitOf('openai', 'gpt-4o')).toBe('closed');
    health.record('openai', 'gpt-4o', { ok: true, latencyMs: 10 });
    expect(health.circuitOf('openai', 'gpt-4o')).toBe('open');
    expect(health.tryAcquire('openai', 'gpt-4o')).toEqual({ allowed: false, reason: 'circuit open (retry in 30 s)' });
    // Another model of the same provider is unaffected.
    expect(health.tryAcquire('openai', 'gpt-4o-mini')).toEqual({ allowed: true, probe: false });
  });

  it('lets one probe through after the cooldown; success closes the circuit and starts counting afresh', () => {
    const { health, advance } = setup();
    for (let index = 0; index < 4; index++) health.record('gemini', 'gemini-2.5-pro', { ok: false, latencyMs: 10 });
    advance(29_999);
    expect(health.tryAcquire('gemini', 'gemini-2.5-pro').allowed).toBe(false);
    advance(1);
    expect(health.circuitOf('gemini', 'gemini-2.5-pro')).toBe('half-open');
    expect(health.tryAcquire('gemini', 'gemini-2.5-pro')).toEqual({ allowed: true, probe: true });
    expect(health.tryAcquire('gemini', 'gemini-2.5-pro')).toEqual({
      allowed: false,
      reason: 'circuit half-open (probe in flight)',
    });
    health.record('gemini', 'gemini-2.5-pro', { ok: true, latencyMs: 10 });
    expect(health.circuitOf('gemini', 'gemini-2.5-pro')).toBe('closed');
    // One more failure does not reopen it: the old failures no longer count.
    health.record('gemini', 'gemini-2.5-pro', { ok: false, latencyMs: 10 });
    expect(health.circuitOf('gemini', 'gemini-2.5-pro')).toBe('closed');
  });

  it('reopens the circuit when the probe fails', () => {
    const { health, advance } = setup();
    for (let index = 0; index < 4; index++) health.record('openai', 'o3', { ok: false, latencyMs: 10 });
    advance(30_000);
    expect(health.tryAcquire('openai', 'o3').allowed).toBe(true);
    health.record('openai', 'o3', { ok: false, latencyMs: 10 });
    expect(health.circuitOf('openai', 'o3')).toBe('open');
    expect(health.tryAcquire('openai', 'o3').allowed).toBe(false);
  });

  it('forgets calls that left the window, and resets one provider or all', () => {
    const { health, advance } = setup();
    health.record('openai', 'gpt-4o', { ok: false, latencyMs: 10 });
    advance(61 * 60_000);
    health.record('openai', 'gpt-4o', { ok: true, latencyMs: 10 });
    expect(health.snapshot()[0]).toMatchObject({ calls: 1, failures: 0 });
    for (let index = 0; index < 4; index++) health.record('gemini', 'gemini-2.5-flash', { ok: false, latencyMs: 10 });
    health.reset('gemini');
    expect(health.circuitOf('gemini', 'gemini-2.5-flash')).toBe('closed');
    expect(health.snapshot().map((entry) => entry.provider)).toEqual(['openai']);
    health.reset();
    expect(health.snapshot()).toEqual([]);
  });

  it('exports calls, failure rate and circuit state to Prometheus', async () => {
    const { health, registry } = setup();
    for (let index = 0; index < 4; index++) health.record('openai', 'gpt-4o', { ok: index === 0, latencyMs: 100 });
    const text = await registry.metrics();
    expect(text).toContain('parley_provider_calls_total{provider="openai",model="gpt-4o",outcome="failure"} 3');
    expect(text).toContain('parley_provider_failure_rate{provider="openai",model="gpt-4o"} 0.75');
    expect(text).toContain('parley_provider_circuit_open{provider="openai",model="gpt-4o"} 1');
  });

  it('shares metrics when a second instance registers on the same registry', async () => {
    const registry = new Registry();
    const options = { windowMs: 60_000, failureRate: 0.5, minCalls: 5, cooldownMs: 1_000, registry };
    const first = new ProviderHealth(options);
    const second = new ProviderHealth(options);
    first.record('gemini', 'gemini-2.5-flash', { ok: true, latencyMs: 10 });
    second.record('gemini', 'gemini-2.5-flash', { ok: true, latencyMs: 10 });
    expect(await registry.metrics()).toContain(
      'parley_provider_calls_total{provider="gemini",model="gemini-2.5-flash",outcome="success"} 2',
    );
  });

  it('judges the circuit on the recent window only: after 2,000 good calls an outage opens it within minCalls failures', () => {
    let time = 0;
    const health = new ProviderHealth({
      windowMs: 60 * 60_000,
      failureRate: 0.5,
      minCalls: 5,
      recentCalls: 10,
      recentMs: 60_000,
      cooldownMs: 30_000,
      now: () => time,
    });
    for (let index = 0; index < 2_000; index++) {
      time += 500;
      health.record('gemini', 'gemini-2.5-flash', { ok: true, latencyMs: 300 });
    }
    let failures = 0;
    while (health.circuitOf('gemini', 'gemini-2.5-flash') === 'closed' && failures < 2_000) {
      time += 100;
      health.record('gemini', 'gemini-2.5-flash', { ok: false, latencyMs: 30, errorCode: 'http_503' });
      failures++;
    }
    expect(failures).toBe(5);
    // The reported statistics still cover the whole hour.
    expect(health.snapshot()[0]).toMatchObject({ calls: 2_005, failures: 5 });
  });

  it('forgets failures older than the recent window for opening, and counts slow successes like failures', () => {
    let time = 0;
    const health = new ProviderHealth({
      windowMs: 60 * 60_000,
      failureRate: 0.5,
      minCalls: 4,
      recentCalls: 10,
      recentMs: 60_000,
      cooldownMs: 30_000,
      now: () => time,
    });
    for (let index = 0; index < 3; index++) health.record('openai', 'gpt-4o', { ok: false, latencyMs: 10 });
    time += 61_000;
    health.record('openai', 'gpt-4o', { ok: false, latencyMs: 10 });
    expect(health.circuitOf('openai', 'gpt-4o')).toBe('closed');
    for (let index = 0; index < 3; index++)
      health.record('openai', 'gpt-4o', { ok: true, latencyMs: 1_900, slow: true });
    expect(health.circuitOf('openai', 'gpt-4o')).toBe('open');
    expect(health.snapshot()[0]).toMatchObject({ calls: 7, failures: 4, slowCalls: 3 });
  });
});
