import type { EntityManager } from '@mikro-orm/postgresql';
import { storeOutbound, type UnfinishedMessage } from '../../src/conversations/delivery-store';
import {
  findInboundMessage,
  interactionOfContact,
  interactionOfSentReply,
  previousBotInteraction,
  type StoredInboundMessage,
} from '../../src/conversations/message-store';
import { Contact, type MessageKind } from '../../src/db/entities';
import type { ConversationEngine, TurnResult } from '../../src/engine/types';
import type { DomainEvents } from '../../src/events';
import type { RecordImplicitSignalsInput, RecordVoteInput } from '../../src/feedback/feedback-service';
import type { Logger } from '../../src/logger';
import type { SendOutcome, WhatsAppSender } from './whatsapp-sender';
import {
  feedbackPreferenceCommand,
  mentionsCompletedAction,
  parseFeedbackButton,
  replies,
  typedVote,
  type Vote,
} from './whatsapp-message';
import type { WhatsAppTenantDirectory } from './whatsapp-tenants';

/** The feedback service functions the channel records votes and signals with (src/feedback/feedback-service.ts). */
export interface FeedbackRecorder {
  recordVote(em: EntityManager, input: RecordVoteInput): Promise<unknown>;
  recordImplicitSignals(em: EntityManager, input: RecordImplicitSignalsInput): Promise<unknown>;
}

type InboundRow = StoredInboundMessage;

/** A message answered (`next`: what its conversation has left, when the last send read it) or left waiting. */
export interface InboundOutcome {
  status: 'done' | 'waiting';
  next?: UnfinishedMessage[];
}

type Plan =
  | { type: 'vote'; vote: Vote; interactionId: string | null }
  | { type: 'preference'; optOut: boolean }
  | { type: 'not_text' }
  | { type: 'turn' };

/**
 * Answers one stored inbound WhatsApp message. Votes, "stop feedback" and
 * non-text messages are answered here, in one transaction that records what
 * happened, stores the reply and marks the message processed (so a crash
 * either did all of it or none). Everything else is a turn for the engine.
 * Replies are then handed to the sender, which delivers each exactly once.
 */
export class WhatsAppWorker {
  constructor(
    private readonly em: () => EntityManager,
    private readonly engine: ConversationEngine,
    private readonly sender: WhatsAppSender,
    private readonly directory: WhatsAppTenantDirectory,
    private readonly feedback: FeedbackRecorder,
    private readonly logger: Logger,
    private readonly events: DomainEvents | null,
  ) {}

  /**
   * `known` is what the webhook already parsed: for a plain text message it is
   * all the plan needs, so the live path skips a database read (the engine
   * itself skips messages already answered). Recovery passes nothing.
   */
  async processInbound(
    messageId: string,
    known?: { tenantId: string; conversationId: string; kind: MessageKind; text: string },
  ): Promise<InboundOutcome> {
    if (known?.kind === 'text' && !typedVote(known.text) && !feedbackPreferenceCommand(known.text)) {
      return this.turn({
        id: messageId,
        tenantId: known.tenantId,
        conversationId: known.conversationId,
        text: known.text,
      });
    }
    const row = await findInboundMessage(this.em(), messageId, 'whatsapp');
    if (!row || row.processedAt) return { status: 'done' };
    const plan = await this.plan(row);
    if (plan.type === 'turn') return this.turn(row);
    const replyId = await this.answerInline(row, plan);
    const sent = replyId ? await this.sender.deliver(replyId) : null;
    return { status: 'done', next: sent?.next };
  }

  /** Stores `text` as an outbound message of a WhatsApp conversation; null when no such conversation exists. */
  async storeOutbound(
    conversationId: string,
    text: string,
    author: 'agent' | 'bot' | 'system',
    authorId: string | null,
  ): Promise<string | null> {
    return storeOutbound(this.em(), { conversationId, channel: 'whatsapp', text, author, authorId });
  }

  private async plan(row: InboundRow): Promise<Plan> {
    if (row.kind === 'button') {
      const parsed = parseFeedbackButton(
        stringField(row.payload, 'buttonPayload'),
        stringField(row.payload, 'buttonText'),
      );
      if (parsed)
        return { type: 'vote', vote: parsed.vote, interactionId: await this.buttonTarget(row, parsed.interactionId) };
    }
    if (row.kind === 'text') {
      const vote = typedVote(row.text);
      if (vote) {
        const interactionId = await previousBotInteraction(this.em(), row.conversationId, row.id, true);
        if (interactionId) return { type: 'vote', vote, interactionId };
      }
      const preference = feedbackPreferenceCommand(row.text);
      if (preference) return { type: 'preference', optOut: preference === 'stop' };
    }
    // With a human on the conversation every message goes to the engine, which shows it to the agent.
    if (row.kind !== 'text' && row.kind !== 'button' && row.conversationStatus === 'bot') return { type: 'not_text' };
    return { type: 'turn' };
  }

  private async turn(row: Pick<InboundRow, 'id' | 'tenantId' | 'conversationId' | 'text'>): Promise<InboundOutcome> {
    // The sender's claim (or the notice's insert) below commits synchronously before anything goes to
    // Twilio, flushing the turn with it: the turn itself need not wait for its own flush.
    // An earlier message of the conversation being answered elsewhere: this one waits in the database (no worker,
    // no polling) and whoever finishes that one takes it next.
    // The turn claims its reply for this sender in its own statement (one round trip fewer before Twilio).
    const result: TurnResult = await this.engine.processMessage(row.id, {
      deferTurnFlush: true,
      ifBlocked: 'defer',
      claimReply: { instanceId: this.sender.instanceId },
    });
    if (result.status === 'waiting') return { status: 'waiting' };
    // Earlier waiting messages this turn answered first: their replies go out now, by the same path, in order.
    for (const earlier of result.earlier ?? []) await this.deliverReply(earlier);
    const sent = await this.deliverReply(result);
    if (result.status === 'already_processed') return { status: 'done' };
    await this.recordSignals(row);
    // What the conversation has next, read with the last send's outcome (recordSignals cannot change it).
    return { status: 'done', next: sent?.next };
  }

  private async deliverReply(result: TurnResult): Promise<SendOutcome | null> {
    if (result.reply && result.status !== 'with_human')
      return this.sender.deliver(result.reply.messageId, result.reply.sendClaim ?? null);
    if (result.status === 'handed_off') {
      const noticeId = await this.storeOutbound(result.conversationId, replies.handedOff, 'system', null);
      if (noticeId) return this.sender.deliver(noticeId);
    }
    return null;
  }

  /**
   * Completed action: the customer's message names one of the tenant's keywords
   * ("paid", "ordered", …), so the reply they are reacting to helped. (The
   * engine records continued conversation, response time and requested handoff.)
   */
  private async recordSignals(row: Pick<InboundRow, 'id' | 'tenantId' | 'conversationId' | 'text'>): Promise<void> {
    const tenant = await this.directory.byTenantId(row.tenantId);
    if (!mentionsCompletedAction(row.text, tenant?.completedActionKeywords ?? [])) return;
    const previous = await previousBotInteraction(this.em(), row.conversationId, row.id, false);
    if (!previous) return;
    await this.feedback.recordImplicitSignals(this.em(), {
      tenantId: row.tenantId,
      interactionId: previous,
      completedAction: true,
    });
  }

  private async answerInline(row: InboundRow, plan: Exclude<Plan, { type: 'turn' }>): Promise<string | null> {
    let recordedVote: { interactionId: string; helpful: boolean } | null = null;
    // The engine marks the message processed in the same transaction as these writes and the reply.
    const replyId = await this.engine.answerWithoutTurn(row.id, async (tx) => {
      let text: string;
      let outcome: Record<string, unknown>;
      if (plan.type === 'vote') {
        text = plan.vote === 'up' ? replies.thanksUp : replies.thanksDown;
        if (plan.interactionId) {
          await this.feedback.recordVote(tx, {
            tenantId: row.tenantId,
            interactionId: plan.interactionId,
            helpful: plan.vote === 'up',
            source: 'whatsapp',
            at: row.createdAt,
          });
          recordedVote = { interactionId: plan.interactionId, helpful: plan.vote === 'up' };
          outcome = { feedback: { interactionId: plan.interactionId, vote: plan.vote } };
        } else {
          outcome = {
            feedback: {
              interactionId: null,
              vote: plan.vote,
              note: 'no bot reply of this customer matches the tap; nothing recorded',
            },
          };
        }
      } else if (plan.type === 'preference') {
        await tx.nativeUpdate(Contact, { id: row.contactId, tenant: row.tenantId }, { feedbackOptOut: plan.optOut });
        text = plan.optOut ? replies.feedbackStopped : replies.feedbackStarted;
        outcome = { feedbackOptOut: plan.optOut };
      } else {
        text = replies.onlyText;
        outcome = { notText: row.kind };
      }
      return { text, note: { handledBy: 'whatsapp-channel', ...outcome } };
    });
    const vote = recordedVote as { interactionId: string; helpful: boolean } | null;
    if (vote)
      this.events?.emit('feedback.recorded', {
        tenantId: row.tenantId,
        interactionId: vote.interactionId,
        helpful: vote.helpful,
        source: 'whatsapp',
      });
    return replyId;
  }

  /**
   * The interaction a button tap votes on: the id in the button (`fb:<id>:…`)
   * when it belongs to this customer, else the bot reply the tap quoted
   * (OriginalRepliedMessageSid).
   */
  private async buttonTarget(row: InboundRow, fromButton: string | null): Promise<string | null> {
    if (fromButton) {
      const owned = await interactionOfContact(this.em(), row.tenantId, row.contactId, fromButton);
      if (owned) return owned;
    }
    const repliedTo = stringField(row.payload, 'repliedToSid');
    if (!repliedTo) return null;
    return interactionOfSentReply(this.em(), row.tenantId, row.contactId, 'whatsapp', repliedTo);
  }
}

function stringField(payload: Record<string, unknown> | null, name: string): string | null {
  const value = payload?.[name];
  return typeof value === 'string' ? value : null;
}
