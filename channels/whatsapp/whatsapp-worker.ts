import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { MessageKind } from '../../src/db/entities';
import type { ConversationEngine, TurnResult } from '../../src/engine/types';
import type { DomainEvents } from '../../src/events';
import type { RecordImplicitSignalsInput, RecordVoteInput } from '../../src/feedback/feedback-service';
import type { Logger } from '../../src/logger';
import type { WhatsAppSender } from './whatsapp-sender';
import { feedbackPreferenceCommand, mentionsCompletedAction, parseFeedbackButton, replies, typedVote, type Vote } from './whatsapp-message';
import type { WhatsAppTenantDirectory } from './whatsapp-tenants';

/** The feedback service functions the channel records votes and signals with (src/feedback/feedback-service.ts). */
export interface FeedbackRecorder {
  recordVote(em: EntityManager, input: RecordVoteInput): Promise<unknown>;
  recordImplicitSignals(em: EntityManager, input: RecordImplicitSignalsInput): Promise<unknown>;
}

interface InboundRow {
  id: string;
  tenant_id: string;
  conversation_id: string;
  kind: MessageKind;
  text: string;
  payload: Record<string, unknown> | null;
  processed_at: Date | null;
  created_at: Date;
  conversation_status: string;
  contact_id: string;
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
  async processInbound(messageId: string, known?: { tenantId: string; conversationId: string; kind: MessageKind; text: string }): Promise<void> {
    if (known?.kind === 'text' && !typedVote(known.text) && !feedbackPreferenceCommand(known.text)) {
      return this.turn({ id: messageId, tenant_id: known.tenantId, conversation_id: known.conversationId, text: known.text });
    }
    const row = await this.load(messageId);
    if (!row || row.processed_at) return;
    const plan = await this.plan(row);
    if (plan.type === 'turn') return this.turn(row);
    const replyId = await this.answerInline(row, plan);
    if (replyId) await this.sender.deliver(replyId);
  }

  /** Stores `text` as an outbound message of a WhatsApp conversation; null when no such conversation exists. */
  async storeOutbound(conversationId: string, text: string, author: 'agent' | 'bot' | 'system', authorId: string | null): Promise<string | null> {
    const id = randomUUID();
    const rows = await this.em().getConnection().execute<{ id: string }[]>(
      `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status, payload)
       select ?, conv.tenant_id, clock_timestamp(), conv.id, 'whatsapp', 'outbound', ?, 'text', ?, 'pending', ?::jsonb
         from conversation conv where conv.id = ? and conv.channel = 'whatsapp'
       returning id`,
      [id, author, text, authorId ? JSON.stringify({ authorId }) : null, conversationId],
    );
    return rows[0]?.id ?? null;
  }

  private async plan(row: InboundRow): Promise<Plan> {
    if (row.kind === 'button') {
      const parsed = parseFeedbackButton(stringField(row.payload, 'buttonPayload'), stringField(row.payload, 'buttonText'));
      if (parsed) return { type: 'vote', vote: parsed.vote, interactionId: await this.buttonTarget(row, parsed.interactionId) };
    }
    if (row.kind === 'text') {
      const vote = typedVote(row.text);
      if (vote) {
        const interactionId = await this.previousBotInteraction(row, true);
        if (interactionId) return { type: 'vote', vote, interactionId };
      }
      const preference = feedbackPreferenceCommand(row.text);
      if (preference) return { type: 'preference', optOut: preference === 'stop' };
    }
    // With a human on the conversation every message goes to the engine, which shows it to the agent.
    if (row.kind !== 'text' && row.kind !== 'button' && row.conversation_status === 'bot') return { type: 'not_text' };
    return { type: 'turn' };
  }

  private async turn(row: Pick<InboundRow, 'id' | 'tenant_id' | 'conversation_id' | 'text'>): Promise<void> {
    // The sender's claim (or the notice's insert) below commits synchronously before anything goes to
    // Twilio, flushing the turn with it: the turn itself need not wait for its own flush.
    const result: TurnResult = await this.engine.processMessage(row.id, { deferTurnFlush: true });
    if (result.reply && result.status !== 'with_human') await this.sender.deliver(result.reply.messageId);
    else if (result.status === 'handed_off') {
      const noticeId = await this.storeOutbound(row.conversation_id, replies.handedOff, 'system', null);
      if (noticeId) await this.sender.deliver(noticeId);
    }
    if (result.status === 'already_processed') return;
    await this.recordSignals(row);
  }

  /**
   * Completed action: the customer's message names one of the tenant's keywords
   * ("paid", "ordered", …), so the reply they are reacting to helped. (The
   * engine records continued conversation, response time and requested handoff.)
   */
  private async recordSignals(row: Pick<InboundRow, 'id' | 'tenant_id' | 'conversation_id' | 'text'>): Promise<void> {
    const tenant = await this.directory.byTenantId(row.tenant_id);
    if (!mentionsCompletedAction(row.text, tenant?.completedActionKeywords ?? [])) return;
    const previous = await this.previousBotInteraction(row, false);
    if (!previous) return;
    await this.feedback.recordImplicitSignals(this.em(), { tenantId: row.tenant_id, interactionId: previous, completedAction: true });
  }

  private async answerInline(row: InboundRow, plan: Exclude<Plan, { type: 'turn' }>): Promise<string | null> {
    let recordedVote: { interactionId: string; helpful: boolean } | null = null;
    const replyId = await this.em().transactional(async (tx) => {
      // The row lock makes concurrent workers (or a recovery racing a live queue) answer once.
      const locked = await tx.execute<{ processed_at: Date | null; delivery_status: string | null }[]>('select processed_at, delivery_status from message where id = ? for update', [row.id]);
      // 'processing' means the engine holds it: it answers, not us.
      if (!locked[0] || locked[0].processed_at || locked[0].delivery_status !== 'received') return null;
      let text: string;
      let outcome: Record<string, unknown>;
      if (plan.type === 'vote') {
        text = plan.vote === 'up' ? replies.thanksUp : replies.thanksDown;
        if (plan.interactionId) {
          await this.feedback.recordVote(tx, { tenantId: row.tenant_id, interactionId: plan.interactionId, helpful: plan.vote === 'up', source: 'whatsapp', at: new Date(row.created_at) });
          recordedVote = { interactionId: plan.interactionId, helpful: plan.vote === 'up' };
          outcome = { feedback: { interactionId: plan.interactionId, vote: plan.vote } };
        } else {
          outcome = { feedback: { interactionId: null, vote: plan.vote, note: 'no bot reply of this customer matches the tap; nothing recorded' } };
        }
      } else if (plan.type === 'preference') {
        await tx.execute('update contact set feedback_opt_out = ? where id = ?', [plan.optOut, row.contact_id]);
        text = plan.optOut ? replies.feedbackStopped : replies.feedbackStarted;
        outcome = { feedbackOptOut: plan.optOut };
      } else {
        text = replies.onlyText;
        outcome = { notText: row.kind };
      }
      const id = randomUUID();
      await tx.execute(
        `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status)
         values (?, ?, clock_timestamp(), ?, 'whatsapp', 'outbound', 'system', 'text', ?, 'pending')`,
        [id, row.tenant_id, row.conversation_id, text],
      );
      await tx.execute(
        `update message set processed_at = now(), delivery_status = 'processed', payload = coalesce(payload, '{}'::jsonb) || ?::jsonb where id = ?`,
        [JSON.stringify({ handledBy: 'whatsapp-channel', ...outcome }), row.id],
      );
      return id;
    });
    const vote = recordedVote as { interactionId: string; helpful: boolean } | null;
    if (vote) this.events?.emit('feedback.recorded', { tenantId: row.tenant_id, interactionId: vote.interactionId, helpful: vote.helpful, source: 'whatsapp' });
    return replyId;
  }

  /**
   * The interaction a button tap votes on: the id in the button (`fb:<id>:…`)
   * when it belongs to this customer, else the bot reply the tap quoted
   * (OriginalRepliedMessageSid).
   */
  private async buttonTarget(row: InboundRow, fromButton: string | null): Promise<string | null> {
    const connection = this.em().getConnection();
    if (fromButton) {
      const owned = await connection.execute<{ id: string }[]>(
        `select ai.id from agent_interaction ai join conversation conv on conv.id = ai.conversation_id
          where ai.id = ? and ai.tenant_id = ? and conv.contact_id = ?`,
        [fromButton, row.tenant_id, row.contact_id],
      );
      if (owned[0]) return owned[0].id;
    }
    const repliedTo = stringField(row.payload, 'repliedToSid');
    if (!repliedTo) return null;
    const quoted = await connection.execute<{ id: string }[]>(
      `select ai.id from message m join agent_interaction ai on ai.reply_message_id = m.id join conversation conv on conv.id = m.conversation_id
        where m.channel = 'whatsapp' and m.channel_message_id = ? and m.tenant_id = ? and conv.contact_id = ?`,
      [repliedTo, row.tenant_id, row.contact_id],
    );
    return quoted[0]?.id ?? null;
  }

  /**
   * The bot reply just before this message. With `immediately`, only when the
   * very last message of the conversation before this one is that reply (a
   * typed 👍 counts as a vote only right after a bot message).
   */
  private async previousBotInteraction(row: Pick<InboundRow, 'id' | 'conversation_id'>, immediately: boolean): Promise<string | null> {
    const rows = await this.em().getConnection().execute<{ interaction_id: string | null }[]>(
      `select (select ai.id from agent_interaction ai where ai.conversation_id = m.conversation_id and ai.reply_message_id = m.id limit 1) as interaction_id
         from message m
        where m.conversation_id = ? and m.created_at < (select created_at from message where id = ?) ${immediately ? '' : "and m.direction = 'outbound' and m.author = 'bot'"}
        order by m.created_at desc limit 1`,
      // The timestamp is compared in SQL: a JS Date would drop PostgreSQL's microseconds.
      [row.conversation_id, row.id],
    );
    return rows[0]?.interaction_id ?? null;
  }

  private async load(messageId: string): Promise<InboundRow | null> {
    const rows = await this.em().getConnection().execute<InboundRow[]>(
      `select m.id, m.tenant_id, m.conversation_id, m.kind, m.text, m.payload, m.processed_at, m.created_at,
              conv.status as conversation_status, conv.contact_id
         from message m join conversation conv on conv.id = m.conversation_id
        where m.id = ? and m.direction = 'inbound' and m.channel = 'whatsapp'`,
      [messageId],
    );
    return rows[0] ?? null;
  }
}

function stringField(payload: Record<string, unknown> | null, name: string): string | null {
  const value = payload?.[name];
  return typeof value === 'string' ? value : null;
}
