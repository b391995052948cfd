import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { randomBytes } from 'node:crypto';
import { Conversation } from './conversation.entity';
import { Message } from './message.entity';
import { TenantScoped } from './tenant-scoped';

/**
 * A new unguessable feedback token (sent with a reply's feedback link). The one
 * source of it: the entity's default and the engine's hand-written turn insert.
 */
export function newFeedbackToken(): string {
  return randomBytes(18).toString('base64url');
}

/** One bot turn: the customer's message, the reply, and how the reply was produced. */
@Entity({ tableName: 'agent_interaction' })
@Index({ properties: ['tenant', 'createdAt'] })
@Index({ properties: ['conversation', 'createdAt'] })
// A reply's interaction, looked up on every turn (Migration20261124110100InteractionReplyIndex).
@Index({ properties: ['replyMessage'] })
// Covering index for control-plane analytics (Migration20261124120000AnalyticsCoveringIndexes).
@Index({
  name: 'agent_interaction_analytics_index',
  expression:
    'create index "agent_interaction_analytics_index" on "agent_interaction" ("tenant_id", "created_at") include ("id", "conversation_id")',
})
export class AgentInteraction extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'replyMessage'
    | 'inputTokens'
    | 'outputTokens'
    | 'totalTokens'
    | 'costUsd'
    | 'latencyMs'
    | 'failover'
    | 'cacheHit'
    | 'modelVersionId'
    | 'experimentVariant'
    | 'feedbackToken'
    | 'complexityScore'
    | 'routingReason'
    | 'articleIds';

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @ManyToOne(() => Message, { deleteRule: 'cascade' })
  inboundMessage!: Message;

  @ManyToOne(() => Message, { nullable: true, deleteRule: 'set null' })
  replyMessage: Message | null = null;

  @Property({ type: 'text' })
  replyText!: string;

  @Property({ type: 'string' })
  provider!: string;

  @Property({ type: 'string' })
  model!: string;

  @Property({ type: 'double' })
  complexityScore: number = 0;

  @Property({ type: 'text' })
  routingReason: string = '';

  @Property({ type: 'integer' })
  latencyMs: number = 0;

  @Property({ type: 'integer' })
  inputTokens: number = 0;

  @Property({ type: 'integer' })
  outputTokens: number = 0;

  @Property({ type: 'integer' })
  totalTokens: number = 0;

  /** US dollars, summed over every provider call of the turn (failed attempts included). */
  @Property({ type: 'double' })
  costUsd: number = 0;

  @Property({ type: 'boolean' })
  failover: boolean = false;

  @Property({ type: 'boolean' })
  cacheHit: boolean = false;

  @Property({ type: 'string', nullable: true })
  modelVersionId: string | null = null;

  @Property({ type: 'string', nullable: true })
  experimentVariant: string | null = null;

  /** Knowledge articles the turn used: put in the LLM's prompt as reference answers, or the knowledge base's answer. */
  @Property({ type: 'json', default: "'[]'" })
  articleIds: string[] = [];

  /** Unguessable token that lets the public feedback mutation address this interaction. */
  @Property({ type: 'string', unique: true })
  feedbackToken: string = newFeedbackToken();
}
