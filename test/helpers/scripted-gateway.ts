import type { AttemptRecord, ModelGateway, ReplyOutcome, ReplyRequest } from '../../src/providers/types';

/**
 * A stand-in for the provider layer (routing, failover, accounting behind
 * `ModelGateway`) that answers from a script: each call returns the next
 * scripted outcome (or echoes the question), and remembers what it was asked.
 * Not an SDK mock: the engine only ever sees the ModelGateway interface.
 */
export class ScriptedGateway implements ModelGateway {
  readonly requests: ReplyRequest[] = [];
  private readonly script: Array<Partial<ReplyOutcome> | Error> = [];
  /** When set, every call waits for this promise before answering (to hold a turn open). */
  gate: Promise<void> | null = null;

  enqueue(outcome: Partial<ReplyOutcome> | Error): this {
    this.script.push(outcome);
    return this;
  }

  async reply(request: ReplyRequest): Promise<ReplyOutcome> {
    this.requests.push(request);
    if (this.gate) await this.gate;
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    const question = request.messages[request.messages.length - 1]?.content ?? '';
    return scriptedOutcome({ text: `You asked: ${question}`, ...next });
  }
}

/** A complete outcome with one successful attempt, overridable field by field. */
export function scriptedOutcome(overrides: Partial<ReplyOutcome> = {}): ReplyOutcome {
  const usage = overrides.usage ?? { inputTokens: 120, cachedInputTokens: 0, outputTokens: 30, totalTokens: 150 };
  const base: ReplyOutcome = {
    text: 'Your parcel ships within two working days.',
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    complexity: 0.12,
    routingReason: 'complexity 0.12 < 0.30 → cheap tier (gemini-2.5-flash)',
    failover: false,
    cacheHit: false,
    latencyMs: 42,
    usage,
    costUsd: 0.000111,
    attempts: [],
    needsHuman: false,
    ...overrides,
  };
  if (!overrides.attempts) base.attempts = [attempt(base)];
  return base;
}

export function attempt(
  outcome: Pick<
    ReplyOutcome,
    'provider' | 'model' | 'usage' | 'costUsd' | 'latencyMs' | 'routingReason' | 'complexity'
  >,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    provider: outcome.provider,
    model: outcome.model,
    usage: outcome.usage,
    costUsd: outcome.costUsd,
    latencyMs: outcome.latencyMs,
    success: true,
    errorCode: null,
    failover: false,
    routingReason: outcome.routingReason,
    complexity: outcome.complexity,
    startedAt: new Date(),
    ...overrides,
  };
}
