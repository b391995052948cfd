import type { EntityManager } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHANNEL_NAMES } from '../db/entities';
import type { Orm } from '../db/orm';
import { AppError, badInput, notFound } from '../errors';
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';
import type { ModelGateway, ReplyOutcome } from '../providers/types';
import {
  botBackNotice,
  detectBotRequest,
  detectHandoffRequest,
  handoffNotice,
  NON_TEXT_NOTICE,
  promisesHuman,
} from './handoff';
import { releaseConversation } from './handoff-service';
import { answerSurvey } from '../business/csat-survey';
import { finaliseReply } from './reply-text';
import { answerSettings } from '../learning/model-versions/version-settings';
import { servedVersion } from '../learning/experiments/serving';
import { storeInbound } from '../conversations/inbound-store';
import { buildPrompt, DEFAULT_SYSTEM_PROMPT } from './prompt';
import { planSignals } from './signals';
import { ClaimLostError, writeTurn, type TurnWrite } from '../conversations/turn-write-store';
import {
  answerWithoutTurn,
  claimMessage,
  earliestPendingBefore,
  expireClaims,
  messageState,
  releaseClaim,
  takeOverDeadClaims as takeOverDeadClaimsSql,
  waitingMessages,
  type ClaimedMessage,
  type HistoryRow,
} from '../conversations/turn-store';
import type { SendClaim } from '../conversations/delivery-store';
import type { InstanceIdentity } from '../instances/service-instance';
import type {
  ConversationEngine,
  DirectAnswer,
  InboundMessage,
  ProcessOptions,
  ReceiveResult,
  TurnResult,
} from './types';

export interface ConversationEngineOptions {
  orm: Orm;
  gateway: ModelGateway;
  events: DomainEvents;
  logger: Logger;
  /** The time source for stored timestamps (tests move it). */
  clock?: () => Date;
  /** Most recent messages read for the prompt (default 30). */
  historyMessages?: number;
  /** Tokens the history may take in the prompt (default 8,000); older messages are left out. */
  historyTokenBudget?: number;
  /** A claim older than this belongs to a dead worker and is taken back (default 5 minutes). */
  processingLeaseMs?: number;
  /** How long a message waits for an earlier one of its conversation being answered elsewhere (default: the lease). */
  orderWaitMs?: number;
  /** This process as a service instance: claims name it, and claims of dead instances are taken over. */
  instance?: InstanceIdentity | null;
}

export interface RecoveryResult {
  /** Messages whose expired claim was taken back. */
  expired: string[];
  /** Every inbound message still to be answered, oldest first. */
  waiting: string[];
}

/** A message whose claim was taken over from a dead instance. */
export interface TakenOverMessage {
  id: string;
  conversationId: string;
  channel: string;
}

/** The engine with its operational extras (recovery after a crash or restart). */
export interface ConversationEngineService extends ConversationEngine {
  /** Takes back expired claims and lists the messages still to be answered, oldest first. */
  recoverStuckMessages(): Promise<RecoveryResult>;
  /** recoverStuckMessages, then answers every waiting message once, in order. */
  processWaiting(options?: { limit?: number }): Promise<TurnResult[]>;
  /**
   * Takes back the claims of instances that stopped heart-beating (needs `instance`); returns their messages,
   * oldest first, for the caller to answer now. Empty without an instance.
   */
  takeOverDeadClaims(): Promise<TakenOverMessage[]>;
}

/** How a turn's write commits: see ProcessOptions.deferTurnFlush and claimReply. */
type TurnWriting = Pick<TurnWrite, 'deferFlush' | 'claimReply'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANNELS = new Set<string>(CHANNEL_NAMES);
const MAX_TEXT_LENGTH = 20_000;

/**
 * One customer turn in, one reply out. `receive` stores the message in one
 * short transaction (fast enough to answer a webhook right after it);
 * `processMessage` claims it exactly once, asks the gateway outside any
 * transaction, and writes the whole turn in one transaction. Events are
 * emitted only after a commit.
 */
export function createConversationEngine(options: ConversationEngineOptions): ConversationEngineService {
  const { orm, gateway, events, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const historyMessages = options.historyMessages ?? 30;
  const historyTokenBudget = options.historyTokenBudget ?? 8_000;
  const leaseMs = options.processingLeaseMs ?? 5 * 60_000;
  const orderWaitMs = options.orderWaitMs ?? leaseMs;
  /** Turns being answered in this process, by conversation: a later message waits on it instead of polling. */
  const inFlight = new Map<string, Promise<unknown>>();
  const em = (): EntityManager => orm.em.fork();
  const instanceId = options.instance?.id ?? null;

  async function receive(inbound: InboundMessage): Promise<ReceiveResult> {
    validateInbound(inbound);
    const stored = await storeInbound(em(), inbound, inbound.receivedAt ?? clock());
    if (!stored.duplicate) {
      events.emit('message.received', {
        tenantId: inbound.tenantId,
        conversationId: stored.conversationId,
        messageId: stored.messageId,
        text: inbound.text,
        handedOff: stored.conversationStatus === 'handed_off',
      });
    }
    return {
      messageId: stored.messageId,
      conversationId: stored.conversationId,
      contactId: stored.contactId,
      duplicate: stored.duplicate,
    };
  }

  async function processMessage(messageId: string, options: ProcessOptions = {}): Promise<TurnResult> {
    if (!UUID.test(messageId)) throw notFound('Message', messageId);
    const deadline = Date.now() + orderWaitMs;
    const defer = options.ifBlocked === 'defer';
    const earlierResults: TurnResult[] = [];
    const withEarlier = (turn: TurnResult): TurnResult =>
      earlierResults.length ? { ...turn, earlier: [...earlierResults, ...(turn.earlier ?? [])] } : turn;
    for (;;) {
      const claimed = await claimMessage(em(), messageId, clock(), historyMessages, instanceId);
      if (claimed)
        return withEarlier(
          await runClaimed(claimed.message, claimed.history, {
            deferFlush: options.deferTurnFlush === true,
            claimReply: options.claimReply ?? null,
          }),
        );
      const state = await messageState(em(), messageId);
      if (!state) throw notFound('Message', messageId);
      if (state.direction !== 'inbound')
        throw badInput(`Message ${messageId} is a reply, not a customer message: only inbound messages are processed`);
      if (state.deliveryStatus !== 'received' || state.processedAt)
        return withEarlier(alreadyProcessed(state.conversationId, messageId));
      // Still waiting: an earlier message of the conversation goes first.
      const earlier = await earliestPendingBefore(em(), state);
      if (earlier?.deliveryStatus === 'received') {
        // Answered here first; its reply goes back to the caller with this one's (TurnResult.earlier), in order.
        const first = await processMessage(earlier.id, { ifBlocked: options.ifBlocked });
        if (first.status === 'waiting') return withEarlier(waiting(state.conversationId, messageId));
        earlierResults.push(...(first.earlier ?? []), { ...first, earlier: undefined });
        continue;
      }
      // Being answered elsewhere: whoever finishes it takes this one next (or a takeover, if it died).
      if (defer && earlier) return withEarlier(waiting(state.conversationId, messageId));
      if (Date.now() > deadline) {
        throw new AppError(
          'CONFLICT',
          `Message ${messageId} waits for an earlier message of its conversation that is still being answered; it will be answered after that one (or after recovery)`,
        );
      }
      const running = inFlight.get(state.conversationId);
      if (running) await running.catch(() => undefined);
      else await sleep(50);
    }
  }

  function runClaimed(message: ClaimedMessage, history: HistoryRow[], writing: TurnWriting): Promise<TurnResult> {
    const turn = answer(message, history, writing);
    inFlight.set(message.conversationId, turn);
    const forget = () => {
      if (inFlight.get(message.conversationId) === turn) inFlight.delete(message.conversationId);
    };
    turn.then(forget, forget);
    return turn;
  }

  async function answer(message: ClaimedMessage, history: HistoryRow[], writing: TurnWriting): Promise<TurnResult> {
    try {
      return await answerClaimed(message, history, writing);
    } catch (error) {
      if (error instanceof ClaimLostError) {
        logger.warn(
          { messageId: message.id },
          'claim expired while answering; the reply was discarded and the message is answered once by whoever holds it now',
        );
        return alreadyProcessed(message.conversationId, message.id);
      }
      await releaseClaim(em(), message.id, error instanceof Error ? error.message : String(error)).catch(
        (releaseError: unknown) =>
          logger.error(
            { err: releaseError, messageId: message.id },
            'could not release the claim; recovery will take it back after the lease',
          ),
      );
      throw error;
    }
  }

  async function answerClaimed(
    message: ClaimedMessage,
    history: HistoryRow[],
    writing: TurnWriting,
  ): Promise<TurnResult> {
    const handoffRequest =
      message.kind === 'text' || message.kind === 'button' ? detectHandoffRequest(message.text) : null;
    const signals = planSignals(history, message, handoffRequest !== null);
    const base = { message, now: clock(), signals, ...writing };

    if (message.conversationStatus === 'handed_off') {
      // "bot" / "back to bot": the customer takes the conversation back from the human queue.
      const botLanguage = message.kind === 'text' || message.kind === 'button' ? detectBotRequest(message.text) : null;
      if (botLanguage) {
        const released = await releaseConversation(
          em(),
          {
            tenantId: message.tenantId,
            conversationId: message.conversationId,
            by: `customer:${message.conversationId}`,
          },
          { events },
        );
        if (released.released) {
          const notice = botBackNotice(botLanguage);
          const written = await commit({
            ...base,
            reply: { text: notice, author: 'system' },
            outcome: null,
            handoffReason: null,
          });
          return result(
            'replied',
            message,
            null,
            { id: written.replyMessageId!, sendClaim: written.sendClaim, text: notice },
            null,
            null,
          );
        }
      }
      await commit({ ...base, reply: null, outcome: null, handoffReason: null });
      return result('with_human', message, null, null, null, null);
    }
    // The customer's 1–5 answer to an end-of-conversation survey is recorded and thanked, not answered.
    const thanks = await answerSurvey(em(), message, base.now);
    if (thanks) {
      const written = await commit({
        ...base,
        reply: { text: thanks, author: 'system' },
        outcome: null,
        handoffReason: null,
      });
      return result(
        'replied',
        message,
        null,
        { id: written.replyMessageId!, sendClaim: written.sendClaim, text: thanks },
        null,
        null,
      );
    }
    if (handoffRequest) {
      const reason = `customer asked for a human ("${handoffRequest.phrase}")`;
      const written = await commit({
        ...base,
        reply: { text: handoffNotice(handoffRequest.language), author: 'system' },
        outcome: null,
        handoffReason: reason,
      });
      return result(
        'handed_off',
        message,
        null,
        { id: written.replyMessageId!, sendClaim: written.sendClaim, text: handoffNotice(handoffRequest.language) },
        reason,
        null,
      );
    }
    if (!message.text.trim()) {
      const written = await commit({
        ...base,
        reply: { text: NON_TEXT_NOTICE, author: 'system' },
        outcome: null,
        handoffReason: null,
      });
      return result(
        'replied',
        message,
        null,
        { id: written.replyMessageId!, sendClaim: written.sendClaim, text: NON_TEXT_NOTICE },
        null,
        null,
      );
    }

    // The active model version answers (its prompt, tier models and retrieval settings), unless the customer is in an arm
    // of the running experiment: then that arm's version answers, and the interaction records the arm.
    const served = servedVersion(message.modelVersion, message.experiment, message.contactId);
    const settings = answerSettings(message.tenantSettings, served.version, DEFAULT_SYSTEM_PROMPT);
    const prompt = buildPrompt({
      systemPrompt: settings.systemPrompt,
      history,
      message: message.text,
      historyTokenBudget,
    });
    const generated: ReplyOutcome = {
      ...(await gateway.reply({
        tenantId: message.tenantId,
        routing: settings.routing,
        messages: prompt.messages,
        cacheable: prompt.cacheable,
        retrieval: settings.retrieval,
        offlineModel: settings.offlineModel,
      })),
      modelVersionId: settings.modelVersionId,
      experimentVariant: served.experimentVariant,
    };
    const { outcome, unfillable } = finaliseReply(generated, message, history);
    if (unfillable.length)
      logger.info(
        { tenantId: message.tenantId, placeholders: unfillable },
        'left out parts of an answer whose placeholders have no value (set them in the business profile)',
      );
    // A reply that promises a person ("let me connect you to a live agent") must lead to one.
    const promise = outcome.needsHuman ? null : promisesHuman(outcome.text);
    const handoffReason = generated.needsHuman
      ? `the bot could not answer confidently (${outcome.provider}/${outcome.model})`
      : outcome.needsHuman
        ? `the answer needs values nobody has filled in (${unfillable.join(', ')})`
        : promise
          ? `the reply promised a human ("${promise}")`
          : null;
    const written = await commit({
      ...base,
      now: clock(),
      reply: { text: outcome.text, author: 'bot' },
      outcome,
      handoffReason,
    });
    return result(
      handoffReason ? 'handed_off' : 'replied',
      message,
      written.interactionId,
      { id: written.replyMessageId!, sendClaim: written.sendClaim, text: outcome.text },
      handoffReason,
      outcome,
    );
  }

  /** Writes the turn, then (after the commit) tells the listeners. */
  async function commit(write: TurnWrite) {
    const written = await writeTurn(em(), write);
    const { tenantId, conversationId } = write.message;
    if (written.interactionId && written.replyMessageId) {
      events.emit('interaction.created', {
        tenantId,
        conversationId,
        interactionId: written.interactionId,
        replyMessageId: written.replyMessageId,
      });
    }
    if (written.handedOff && write.handoffReason)
      events.emit('conversation.handed_off', { tenantId, conversationId, reason: write.handoffReason });
    return written;
  }

  async function handleTurn(inbound: InboundMessage): Promise<TurnResult & { duplicate: boolean }> {
    const received = await receive(inbound);
    // A redelivery of a message never answered (the process died in between) is answered now; otherwise this is a no-op.
    const turn = await processMessage(received.messageId);
    return { ...turn, duplicate: received.duplicate };
  }

  async function recoverStuckMessages(): Promise<RecoveryResult> {
    const expired = [
      ...(await takeOverDeadClaims()).map((message) => message.id),
      ...(await expireClaims(em(), new Date(clock().getTime() - leaseMs))),
    ];
    if (expired.length) logger.warn({ messages: expired.length }, 'took back expired message claims');
    return { expired, waiting: await waitingMessages(em(), 10_000) };
  }

  async function takeOverDeadClaims(): Promise<TakenOverMessage[]> {
    if (!options.instance) return [];
    const taken = await takeOverDeadClaimsSql(em(), options.instance.staleAfterMs);
    if (taken.length) logger.warn({ messages: taken.length }, 'took over the claims of a stopped instance');
    return taken;
  }

  async function processWaiting(options: { limit?: number } = {}): Promise<TurnResult[]> {
    const { waiting } = await recoverStuckMessages();
    const results: TurnResult[] = [];
    for (const messageId of waiting.slice(0, options.limit ?? waiting.length)) {
      try {
        results.push(await processMessage(messageId));
      } catch (error) {
        logger.error({ err: error, messageId }, 'could not answer a waiting message; it stays waiting');
      }
    }
    return results;
  }

  async function answerDirectly(
    messageId: string,
    answer: (tx: EntityManager) => Promise<DirectAnswer>,
  ): Promise<string | null> {
    if (!UUID.test(messageId)) throw notFound('Message', messageId);
    return answerWithoutTurn(em(), messageId, answer);
  }

  return {
    receive,
    processMessage,
    handleTurn,
    answerWithoutTurn: answerDirectly,
    recoverStuckMessages,
    processWaiting,
    takeOverDeadClaims,
  };
}

function result(
  status: TurnResult['status'],
  message: ClaimedMessage,
  interactionId: string | null,
  reply: { id: string; text: string; sendClaim?: SendClaim | null } | null,
  handoffReason: string | null,
  outcome: ReplyOutcome | null,
): TurnResult {
  return {
    status,
    conversationId: message.conversationId,
    inboundMessageId: message.id,
    interactionId,
    reply: reply ? { messageId: reply.id, text: reply.text, sendClaim: reply.sendClaim ?? null } : null,
    handoffReason,
    route: outcome
      ? {
          provider: outcome.provider,
          model: outcome.model,
          complexity: outcome.complexity,
          reason: outcome.routingReason,
          latencyMs: outcome.latencyMs,
          inputTokens: outcome.usage.inputTokens,
          outputTokens: outcome.usage.outputTokens,
          costUsd: outcome.costUsd,
          failover: outcome.failover,
          cacheHit: outcome.cacheHit,
        }
      : null,
  };
}

function waiting(conversationId: string, messageId: string): TurnResult {
  return { ...alreadyProcessed(conversationId, messageId), status: 'waiting' };
}

function alreadyProcessed(conversationId: string, messageId: string): TurnResult {
  return {
    status: 'already_processed',
    conversationId,
    inboundMessageId: messageId,
    interactionId: null,
    reply: null,
    handoffReason: null,
    route: null,
  };
}

function validateInbound(inbound: InboundMessage): void {
  if (!inbound || typeof inbound !== 'object') throw badInput('An inbound message is required');
  if (!UUID.test(inbound.tenantId ?? '')) throw badInput('tenantId must be a tenant id (uuid)');
  if (!CHANNELS.has(inbound.channel)) throw badInput(`channel must be one of ${[...CHANNELS].join(', ')}`);
  if (typeof inbound.externalId !== 'string' || !inbound.externalId.trim())
    throw badInput("externalId (the customer's id on the channel) is required");
  if (typeof inbound.text !== 'string') throw badInput('text must be a string (empty for media without a caption)');
  if (inbound.text.length > MAX_TEXT_LENGTH) throw badInput(`text is longer than ${MAX_TEXT_LENGTH} characters`);
  if (inbound.receivedAt !== undefined && Number.isNaN(new Date(inbound.receivedAt).getTime()))
    throw badInput('receivedAt must be a valid date');
}
