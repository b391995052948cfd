import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { newFeedbackToken, type MessageAuthor } from '../db/entities';
import { implicitSatisfactionSql, mergeSignals, type SignalChanges } from '../feedback/implicit-satisfaction';
import type { ReplyOutcome } from '../providers/types';
import type { ClaimedMessage } from './turn-store';
import type { SendClaim } from './delivery-store';
import { runHot } from '../db/hot-sql';

/** Everything one turn writes; all of it commits together or not at all. */
export interface TurnWrite {
  message: ClaimedMessage;
  now: Date;
  /** The stored answer to the customer, if any (bot reply or system notice). */
  reply: { text: string; author: MessageAuthor } | null;
  /** Present when a provider produced the reply: the interaction and one usage row per attempt. */
  outcome: ReplyOutcome | null;
  /** Hand the conversation to a human, with this reason. */
  handoffReason: string | null;
  /** Implicit signals on the previous bot reply of the conversation. */
  signals: (SignalChanges & { interactionId: string }) | null;
  /**
   * Commit without waiting for the WAL flush (ProcessOptions.deferTurnFlush): the caller's next
   * synchronous commit flushes it. Besides the fsync, this shortens how long the turn holds its
   * provider_usage rollup row (one shard per connection, see ProviderUsageRollup).
   */
  deferFlush?: boolean;
  /**
   * Claim the reply for sending in the same statement (what claimForSending would do next, one round trip and one
   * commit fewer), for this instance (null: none). The reply is claimed only when no earlier reply of the
   * conversation is still unsent (replies leave in order); the commit is then synchronous, as the claim's is.
   */
  claimReply?: { instanceId: string | null } | null;
}

export interface WrittenTurn {
  replyMessageId: string | null;
  interactionId: string | null;
  /** True when this turn moved the conversation to a human (false when it already was). */
  handedOff: boolean;
  /** The reply, claimed for sending (TurnWrite.claimReply), with what sending it needs; null when not claimed. */
  sendClaim: SendClaim | null;
}

/** The columns the turn statement adds for a reply it claimed (see claimForSending's). */
interface ReplyClaimRow {
  reply_claimed: boolean | null;
  external_id: string | null;
  feedback_opt_out: boolean | null;
  status: SendClaim['conversationStatus'];
  last_inbound_at: string | Date | null;
  to_address: string | null;
}

/** Another worker took the message back (expired lease) and may answer it: this turn must not commit. */
export class ClaimLostError extends Error {
  constructor(messageId: string) {
    super(`Message ${messageId} is no longer claimed by this worker`);
    this.name = 'ClaimLostError';
  }
}

/**
 * Writes a turn as ONE SQL statement of data-modifying CTEs: mark the inbound
 * message processed (only while this worker still holds its claim; every other
 * write depends on that row, so a lost claim writes nothing), update the
 * conversation (last activity, handoff), insert the reply, the interaction and
 * one usage row per attempt, and upsert the previous reply's implicit signals.
 * One statement is one atomic transaction and one round trip; foreign keys
 * between the CTEs are checked at its end.
 */
export async function writeTurn(em: EntityManager, write: TurnWrite): Promise<WrittenTurn> {
  return runTurnStatement(em, write);
}

async function runTurnStatement(em: EntityManager, write: TurnWrite): Promise<WrittenTurn> {
  const { message, now, outcome } = write;
  // Placeholders are positional: every bind() must run in the order its text appears in the statement.
  const params: unknown[] = [];
  const bind = (value: unknown, cast?: string) => {
    params.push(value);
    return cast ? `?::${cast}` : '?';
  };
  const handoff = write.handoffReason !== null;
  const ctes: string[] = [
    `inbound as (
       update message set delivery_status = 'processed', processed_at = ${bind(now, 'timestamptz')}, processing_started_at = null, delivery_error = null
       where id = ${bind(message.id, 'uuid')} and delivery_status = 'processing' and processed_at is null
         -- Still this instance's claim: a claim taken over from an instance presumed dead is not answered twice.
         and claimed_by is not distinct from ${bind(message.claimedBy ?? null, 'uuid')}
       returning id)`,
    `conversation_update as (
       update conversation set
         last_activity_at = greatest(last_activity_at, ${bind(now, 'timestamptz')}),
         handoff_reason = case when ${bind(handoff, 'boolean')} and status = 'bot' then ${bind(write.handoffReason, 'text')} else handoff_reason end,
         handed_off_at = case when ${bind(handoff, 'boolean')} and status = 'bot' then ${bind(now, 'timestamptz')} else handed_off_at end,
         status = case when ${bind(handoff, 'boolean')} and status = 'bot' then 'handed_off' else status end
       where id = ${bind(message.conversationId, 'uuid')} and exists (select 1 from inbound)
       returning status, (${bind(handoff, 'boolean')} and handed_off_at = ${bind(now, 'timestamptz')}) as handed_off_now)`,
  ];

  let replyMessageId: string | null = null;
  let interactionId: string | null = null;
  const claimReply = write.reply && write.claimReply ? write.claimReply : null;
  if (write.reply) {
    replyMessageId = randomUUID();
    // A reply never sorts before its question, even when both fall in the same millisecond.
    const replyAt = new Date(Math.max(now.getTime(), message.createdAt.getTime() + 1));
    // Claimed for sending as it is stored unless an earlier reply of the conversation is unsent (claimForSending's rule).
    // A function: its placeholders must be bound where its text appears in the statement.
    const free = () =>
      claimReply
        ? `not exists (select 1 from message earlier
           where earlier.conversation_id = ${bind(message.conversationId, 'uuid')} and earlier.direction = 'outbound'
             and earlier.channel = ${bind(message.channel, 'text')} and earlier.delivery_status = 'pending'
             and earlier.created_at < ${bind(replyAt, 'timestamptz')})`
        : 'false';
    ctes.push(`reply as (
       insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status,
         send_claimed_at, claimed_by)
       select ${bind(replyMessageId, 'uuid')}, ${bind(message.tenantId, 'uuid')}, ${bind(replyAt, 'timestamptz')}, ${bind(message.conversationId, 'uuid')},
         ${bind(message.channel, 'text')}, 'outbound', ${bind(write.reply.author, 'text')}, 'text', ${bind(write.reply.text, 'text')}, 'pending',
         case when free.yes then now() end, case when free.yes then ${bind(claimReply?.instanceId ?? null, 'uuid')} end
       from (select ${free()} as yes) free
       where exists (select 1 from inbound)
       returning id, send_claimed_at is not null as claimed)`);
    if (outcome) {
      interactionId = randomUUID();
      ctes.push(`interaction as (
         insert into agent_interaction (id, tenant_id, created_at, conversation_id, inbound_message_id, reply_message_id, reply_text, provider, model,
           complexity_score, routing_reason, latency_ms, input_tokens, output_tokens, total_tokens, cost_usd, failover, cache_hit, feedback_token,
           article_ids, model_version_id, experiment_variant)
         select ${bind(interactionId, 'uuid')}, ${bind(message.tenantId, 'uuid')}, ${bind(replyAt, 'timestamptz')}, ${bind(message.conversationId, 'uuid')},
           ${bind(message.id, 'uuid')}, reply.id, ${bind(outcome.text, 'text')}, ${bind(outcome.provider, 'text')}, ${bind(outcome.model, 'text')},
           ${bind(outcome.complexity, 'float8')}, ${bind(outcome.routingReason, 'text')}, ${bind(Math.round(outcome.latencyMs), 'int')},
           ${bind(outcome.usage.inputTokens, 'int')}, ${bind(outcome.usage.outputTokens, 'int')}, ${bind(outcome.usage.totalTokens, 'int')},
           ${bind(outcome.costUsd, 'float8')}, ${bind(outcome.failover, 'boolean')}, ${bind(outcome.cacheHit, 'boolean')},
           ${bind(newFeedbackToken(), 'text')}, ${bind(JSON.stringify(outcome.articleIds ?? []), 'jsonb')},
           ${bind(outcome.modelVersionId ?? null, 'text')}, ${bind(outcome.experimentVariant ?? null, 'text')}
         from reply
         returning id, tenant_id)`);
      if (outcome.attempts.length) {
        const rows = outcome.attempts.map(
          (attempt) =>
            `(${bind(randomUUID(), 'uuid')}, ${bind(attempt.startedAt, 'timestamptz')}, ${bind(attempt.provider, 'text')}, ${bind(attempt.model, 'text')},
              ${bind(attempt.usage.inputTokens, 'int')}, ${bind(attempt.usage.cachedInputTokens, 'int')}, ${bind(attempt.usage.outputTokens, 'int')},
              ${bind(attempt.usage.totalTokens, 'int')}, ${bind(attempt.costUsd, 'float8')}, ${bind(Math.round(attempt.latencyMs), 'int')},
              ${bind(attempt.success, 'boolean')}, ${bind(attempt.errorCode, 'text')}, ${bind(attempt.failover, 'boolean')},
              ${bind(attempt.routingReason, 'text')}, ${bind(attempt.complexity, 'float8')})`,
        );
        ctes.push(`usage as (
           insert into provider_usage (id, tenant_id, created_at, interaction_id, provider, model, input_tokens, cached_input_tokens, output_tokens,
             total_tokens, estimated_cost_usd, latency_ms, success, error_code, failover, routing_reason, complexity)
           select attempt.id, interaction.tenant_id, attempt.created_at, interaction.id, attempt.provider, attempt.model, attempt.input_tokens,
             attempt.cached_input_tokens, attempt.output_tokens, attempt.total_tokens, attempt.cost, attempt.latency_ms, attempt.success,
             attempt.error_code, attempt.failover, attempt.routing_reason, attempt.complexity
           from interaction, (values ${rows.join(', ')}) as attempt (id, created_at, provider, model, input_tokens, cached_input_tokens, output_tokens,
             total_tokens, cost, latency_ms, success, error_code, failover, routing_reason, complexity)
           returning id)`);
      }
    }
  }
  if (write.signals) {
    const signals = write.signals;
    // A first signal on the reply inserts its feedback row; later ones merge into it (flags only ever turn
    // on; a response time is kept once known) and recompute the satisfaction from the merged values.
    const first = mergeSignals(
      { continuedConversation: false, completedAction: false, requestedHandoff: false, responseTimeMs: null },
      signals,
    );
    const merged = {
      continued: 'interaction_feedback.continued_conversation or excluded.continued_conversation',
      completed: 'interaction_feedback.completed_action',
      handoff: 'interaction_feedback.requested_handoff or excluded.requested_handoff',
      responseTime: 'coalesce(excluded.response_time_ms, interaction_feedback.response_time_ms)',
    };
    ctes.push(`feedback as (
       insert into interaction_feedback (id, tenant_id, created_at, interaction_id, history, updated_at,
         continued_conversation, completed_action, requested_handoff, response_time_ms, implicit_satisfaction)
       select ${bind(randomUUID(), 'uuid')}, tenant_id, ${bind(now, 'timestamptz')}, id, '[]'::jsonb, ${bind(now, 'timestamptz')},
         ${bind(first.continuedConversation, 'boolean')}, false, ${bind(first.requestedHandoff, 'boolean')},
         ${bind(signals.responseTimeMs === undefined ? null : first.responseTimeMs, 'int')}, ${bind(first.implicitSatisfaction, 'float8')}
       from agent_interaction
       where id = ${bind(signals.interactionId, 'uuid')} and tenant_id = ${bind(message.tenantId, 'uuid')} and exists (select 1 from inbound)
       on conflict (interaction_id) do update set
         continued_conversation = ${merged.continued},
         requested_handoff = ${merged.handoff},
         response_time_ms = ${merged.responseTime},
         implicit_satisfaction = ${implicitSatisfactionSql(merged)},
         updated_at = excluded.updated_at
       returning id)`);
  }
  // What sending the reply needs, read in the same statement when it was claimed (as claimForSending reads it).
  const claimColumns = claimReply
    ? `,
            (select claimed from reply) as reply_claimed,
            (select status from conversation_update) as status,
            c.external_id, c.feedback_opt_out,
            (select max(latest.created_at) from conversation cv cross join lateral (
                select m.created_at from message m where m.conversation_id = cv.id and m.direction = 'inbound'
                order by m.created_at desc limit 1) latest
              where cv.contact_id = conv.contact_id) as last_inbound_at,
            (select m.payload->>'to' from message m
              where m.conversation_id = conv.id and m.direction = 'inbound' order by m.created_at desc limit 1) as to_address
     from conversation conv left join contact c on c.id = conv.contact_id
     where conv.id = ${bind(message.conversationId, 'uuid')}`
    : '';
  // The claimed reply goes to the platform next: its commit (and the turn's) is flushed first, as claimForSending's.
  const deferFlush = write.deferFlush === true && !claimReply;
  const [state] = await runHot<{ claimed: number; handed_off: number } & Partial<ReplyClaimRow>>(
    em,
    `with ${ctes.join(',\n')}
     select (select count(*) from inbound)::int as claimed,
            (select count(*) from conversation_update where handed_off_now)::int as handed_off${claimColumns}${
              deferFlush
                ? `
     where set_config('synchronous_commit', 'off', true) is not null`
                : ''
            }`,
    params,
  );
  if (!state || state.claimed !== 1) throw new ClaimLostError(message.id);
  const sendClaim =
    state.reply_claimed && replyMessageId && write.reply
      ? {
          id: replyMessageId,
          tenantId: message.tenantId,
          conversationId: message.conversationId,
          text: write.reply.text,
          author: write.reply.author,
          sentPartIds: [],
          externalId: state.external_id ?? null,
          feedbackOptOut: state.feedback_opt_out === true,
          conversationStatus: state.status ?? null,
          lastInboundAt: state.last_inbound_at ? new Date(state.last_inbound_at) : null,
          toAddress: state.to_address ?? null,
          interactionId,
          attempts: 0,
          outcomeUnknown: false,
          unknownSince: null,
        }
      : null;
  return { replyMessageId, interactionId, handedOff: state.handed_off === 1, sendClaim };
}
