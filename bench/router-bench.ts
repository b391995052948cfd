// First: parses the command line (and answers --help) before anything heavy loads.
import '../src/cli/command-line';
import 'reflect-metadata';
import crypto from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { createScratchDatabase } from './scratch-database';
import { argument, log, percentiles } from './bench-stats';
import { Tenant } from '../src/db/entities';
import { migrate, openOrm, type Orm } from '../src/db/orm';
import { createConversationEngine } from '../src/engine/conversation-engine';
import { detectHandoffRequest } from '../src/engine/handoff';
import { DomainEvents } from '../src/events';
import { decideRoute } from '../src/providers/provider-router';
import type { ChatMessage, ModelGateway, ReplyOutcome, ReplyRequest } from '../src/providers/types';
import { defaultCorpusPath, loadCorpus, type CorpusRequest } from './customer-support-corpus';

/**
 * npm run bench:router [-- --decisions 20000 --turns 2000 --dataset <csv>]
 *
 * 1. Routing decisions: the provider router's pure decision function
 *    (`decideRoute`: complexity score, token estimate, rules) on conversations
 *    replayed from the customer-support corpus, each with a new customer message.
 * 2. Engine overhead per turn: `handleTurn` (receive + processMessage) with a
 *    gateway that answers instantly, on a real PostgreSQL, interleaved with the
 *    bare database writes of the same turn done with plain SQL through `pg`
 *    (inbound message; then in one transaction the reply, the interaction, the
 *    usage row, the processed mark and the conversation's last activity).
 */

function count(name: string, fallback: number): number {
  const value = Number(argument(name, String(fallback)));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const elapsedMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;
const fixed = (value: number, digits = 3) => value.toFixed(digits).padStart(9);

function conversations(corpus: CorpusRequest[], total: number): ChatMessage[][] {
  const result: ChatMessage[][] = [];
  for (let index = 0; index < total; index += 1) {
    const turns = index % 7; // 0–6 earlier exchanges
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are the customer-service assistant of an outdoor-gear shop. Answer briefly.' },
    ];
    for (let turn = 0; turn < turns; turn += 1) {
      const earlier = corpus[(index * 7 + turn) % corpus.length]!;
      messages.push({ role: 'user', content: earlier.instruction }, { role: 'assistant', content: earlier.response });
    }
    // A message the router has never seen (its token count is not memoised), as on a real turn.
    messages.push({ role: 'user', content: `${corpus[index % corpus.length]!.instruction} (${index})` });
    result.push(messages);
  }
  return result;
}

function benchRouter(corpus: CorpusRequest[], decisions: number): void {
  const warm = conversations(corpus, 2_000);
  for (const messages of warm) decideRoute(messages);
  const inputs = conversations(corpus, decisions).map((messages, index) => {
    // Fresh final messages, different from the warm-up ones.
    const copy = [...messages];
    copy[copy.length - 1] = { role: 'user', content: `${copy[copy.length - 1]!.content} #${index}` };
    return copy;
  });
  const samples: number[] = [];
  const tiers: Record<string, number> = {};
  const started = process.hrtime.bigint();
  for (const messages of inputs) {
    const one = process.hrtime.bigint();
    const decision = decideRoute(messages);
    samples.push(Number(process.hrtime.bigint() - one) / 1e3);
    tiers[decision.tier] = (tiers[decision.tier] ?? 0) + 1;
  }
  const totalMs = elapsedMs(started);
  // Throughput without the per-call clock reads: the same conversations again (token counts now memoised).
  const loopStarted = process.hrtime.bigint();
  for (const messages of inputs) decideRoute(messages);
  const loopMs = elapsedMs(loopStarted);
  const stats = percentiles(samples);
  log(`Routing decisions (decideRoute, ${decisions} conversations, new message each): tiers ${JSON.stringify(tiers)}`);
  log(
    `  per decision  p50 ${fixed(stats.p50, 1)} µs   p95 ${fixed(stats.p95, 1)} µs   p99 ${fixed(stats.p99, 1)} µs   (target p99 < 50 µs: ${stats.p99 < 50 ? 'met' : 'NOT met'})`,
  );
  log(
    `  throughput    ${Math.round(decisions / (totalMs / 1000)).toLocaleString('en')} decisions/s with new messages; ${Math.round(decisions / (loopMs / 1000)).toLocaleString('en')}/s when repeated (memoised token counts)`,
  );
}

/** A gateway that answers at once with a complete outcome, so only the engine and the database are measured. */
class InstantGateway implements ModelGateway {
  async reply(request: ReplyRequest): Promise<ReplyOutcome> {
    const usage = { inputTokens: 180, cachedInputTokens: 0, outputTokens: 40, totalTokens: 220 };
    const routingReason = 'complexity 0.12 < 0.30 → cheap tier (gemini-2.5-flash)';
    return {
      text: `Thanks for your message (${request.messages.length - 1} before it). Here is what I found.`,
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      complexity: 0.12,
      routingReason,
      failover: false,
      cacheHit: false,
      latencyMs: 0,
      usage,
      costUsd: 0.000154,
      attempts: [
        {
          provider: 'gemini',
          model: 'gemini-2.5-flash',
          usage,
          costUsd: 0.000154,
          latencyMs: 0,
          success: true,
          errorCode: null,
          failover: false,
          routingReason,
          complexity: 0.12,
          startedAt: new Date(),
        },
      ],
      needsHuman: false,
    };
  }
}

async function bareTurn(
  pool: pg.Pool,
  tenantId: string,
  conversationId: string,
  text: string,
  sequence: number,
): Promise<void> {
  const now = new Date();
  const inboundId = crypto.randomUUID();
  await pool.query(
    `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, channel_message_id, delivery_status)
     values ($1, $2, $3, $4, 'api', 'inbound', 'customer', 'text', $5, $6, 'received')`,
    [inboundId, tenantId, now, conversationId, text, `bare-${sequence}`],
  );
  const client = await pool.connect();
  try {
    await client.query('begin');
    const replyId = crypto.randomUUID();
    const interactionId = crypto.randomUUID();
    await client.query(
      `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status)
       values ($1, $2, $3, $4, 'api', 'outbound', 'bot', 'text', $5, 'pending')`,
      [replyId, tenantId, now, conversationId, 'Thanks for your message. Here is what I found.'],
    );
    await client.query(
      `insert into agent_interaction (id, tenant_id, created_at, conversation_id, inbound_message_id, reply_message_id, reply_text, provider, model,
         complexity_score, routing_reason, latency_ms, input_tokens, output_tokens, total_tokens, cost_usd, failover, cache_hit, feedback_token)
       values ($1, $2, $3, $4, $5, $6, $7, 'gemini', 'gemini-2.5-flash', 0.12, 'cheap tier', 0, 180, 40, 220, 0.000154, false, false, $8)`,
      [
        interactionId,
        tenantId,
        now,
        conversationId,
        inboundId,
        replyId,
        'Thanks for your message. Here is what I found.',
        crypto.randomBytes(18).toString('base64url'),
      ],
    );
    await client.query(
      `insert into provider_usage (id, tenant_id, created_at, interaction_id, provider, model, input_tokens, cached_input_tokens, output_tokens, total_tokens,
         estimated_cost_usd, latency_ms, success, error_code, failover, routing_reason, complexity)
       values ($1, $2, $3, $4, 'gemini', 'gemini-2.5-flash', 180, 0, 40, 220, 0.000154, 0, true, null, false, 'cheap tier', 0.12)`,
      [crypto.randomUUID(), tenantId, now, interactionId],
    );
    await client.query(`update message set delivery_status = 'processed', processed_at = $1 where id = $2`, [
      now,
      inboundId,
    ]);
    await client.query('update conversation set last_activity_at = $1 where id = $2', [now, conversationId]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

async function benchEngine(orm: Orm, url: string, corpus: CorpusRequest[], turns: number): Promise<void> {
  const customers = 50;
  const em = orm.em.fork();
  const tenant = em.create(Tenant, {
    name: `bench-${crypto.randomBytes(3).toString('hex')}`,
    settings: { systemPrompt: 'You are the customer-service assistant of an outdoor-gear shop.' },
  });
  await em.flush();
  const engine = createConversationEngine({
    orm,
    gateway: new InstantGateway(),
    events: new DomainEvents(),
    logger: pino({ level: 'silent' }),
  });
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // The bare path writes into conversations that already exist (it does no lookups at all).
  const bareConversations: string[] = [];
  for (let index = 0; index < customers; index += 1) {
    const contactId = crypto.randomUUID();
    const conversationId = crypto.randomUUID();
    await pool.query(
      `insert into contact (id, tenant_id, created_at, channel, external_id) values ($1, $2, now(), 'api', $3)`,
      [contactId, tenant.id, `bare-${index}`],
    );
    await pool.query(
      `insert into conversation (id, tenant_id, created_at, contact_id, channel, status, started_at, last_activity_at) values ($1, $2, now(), $3, 'api', 'bot', now(), now())`,
      [conversationId, tenant.id, contactId],
    );
    bareConversations.push(conversationId);
  }
  // Handoff requests would move a conversation to a human and end its bot turns: replay the rest.
  const texts = corpus.map((request) => request.instruction).filter((text) => !detectHandoffRequest(text));
  const engineSamples: number[] = [];
  const receiveSamples: number[] = [];
  const bareSamples: number[] = [];
  const warmup = Math.min(300, turns);
  for (let index = 0; index < warmup + turns; index += 1) {
    const text = texts[index % texts.length]!;
    const customer = index % customers;
    const runEngine = async () => {
      // handleTurn is receive + processMessage; timed in two parts to show where the time goes.
      const started = process.hrtime.bigint();
      const received = await engine.receive({
        tenantId: tenant.id,
        channel: 'api',
        externalId: `customer-${customer}`,
        text,
        channelMessageId: `engine-${index}`,
      });
      const receivedMs = elapsedMs(started);
      const turn = await engine.processMessage(received.messageId);
      if (turn.status !== 'replied') throw new Error(`unexpected turn status ${turn.status}`);
      const total = elapsedMs(started);
      if (index >= warmup) receiveSamples.push(receivedMs);
      return total;
    };
    const runBare = async () => {
      const started = process.hrtime.bigint();
      await bareTurn(pool, tenant.id, bareConversations[customer]!, text, index);
      return elapsedMs(started);
    };
    // Alternate which goes first, so neither always runs on a warmer cache.
    let engineMs: number;
    let bareMs: number;
    if (index % 2 === 0) {
      engineMs = await runEngine();
      bareMs = await runBare();
    } else {
      bareMs = await runBare();
      engineMs = await runEngine();
    }
    if (index >= warmup) {
      engineSamples.push(engineMs);
      bareSamples.push(bareMs);
    }
  }
  await pool.end();
  const engineStats = percentiles(engineSamples);
  const bareStats = percentiles(bareSamples);
  log(
    `Engine turn vs bare writes (${turns} turns each, interleaved, ${customers} customers, conversations growing to ~${Math.round((2 * (warmup + turns)) / customers)} messages):`,
  );
  log('                              p50 ms     p95 ms     p99 ms');
  log(`  engine handleTurn       ${fixed(engineStats.p50)}  ${fixed(engineStats.p95)}  ${fixed(engineStats.p99)}`);
  const receiveStats = percentiles(receiveSamples);
  log(`    of which receive      ${fixed(receiveStats.p50)}  ${fixed(receiveStats.p95)}  ${fixed(receiveStats.p99)}`);
  log(`  bare SQL writes         ${fixed(bareStats.p50)}  ${fixed(bareStats.p95)}  ${fixed(bareStats.p99)}`);
  log(
    `  engine overhead         ${fixed(engineStats.p50 - bareStats.p50)}  ${fixed(engineStats.p95 - bareStats.p95)}  ${fixed(engineStats.p99 - bareStats.p99)}`,
  );
  log(
    `  ratio engine / bare     ${fixed(engineStats.p50 / bareStats.p50, 2)}x ${fixed(engineStats.p95 / bareStats.p95, 2)}x ${fixed(engineStats.p99 / bareStats.p99, 2)}x`,
  );
  log(`  target: overhead < 2 ms at p50: ${engineStats.p50 - bareStats.p50 < 2 ? 'met' : 'NOT met'}`);
}

async function main(): Promise<void> {
  const decisions = count('decisions', 20_000);
  const turns = count('turns', 2_000);
  const { requests, source } = loadCorpus(argument('dataset', defaultCorpusPath()));
  log(`parley router benchmark — Node ${process.version}, ${os.cpus().length} CPUs; corpus: ${source}`);
  benchRouter(requests, decisions);

  const config = loadConfig();
  const scratch = await createScratchDatabase({ serverUrl: config.DATABASE_URL, prefix: 'parley_bench' });
  const orm = await openOrm({ url: scratch.url, poolMax: 10 });
  try {
    await migrate(orm);
    log(
      `database: ${scratch.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server'}, throwaway database ${scratch.name}`,
    );
    await benchEngine(orm, scratch.url, requests, turns);
  } finally {
    await orm.close(true);
    await scratch.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:router failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
