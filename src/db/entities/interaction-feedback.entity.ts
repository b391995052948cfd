import { Entity, Index, OneToOne, OptionalProps, Property } from '@mikro-orm/core';
import { AgentInteraction } from './agent-interaction.entity';
import { TenantScoped } from './tenant-scoped';

export const FEEDBACK_SOURCES = ['whatsapp', 'api', 'slack', 'terminal'] as const;
export type FeedbackSource = (typeof FEEDBACK_SOURCES)[number];

/** One explicit vote as it was cast; the list keeps every change of mind. */
export interface FeedbackVote {
  helpful: boolean;
  comment: string | null;
  source: FeedbackSource;
  at: string;
}

/**
 * What is known of how one bot reply landed: the customer's latest explicit vote
 * (with the history of earlier ones) and the implicit signals.
 */
@Entity({ tableName: 'interaction_feedback' })
@Index({ properties: ['tenant', 'createdAt'] })
@Index({ properties: ['tenant', 'updatedAt'] })
// Covering indexes for control-plane analytics (Migration20261124120000AnalyticsCoveringIndexes).
@Index({
  name: 'interaction_feedback_analytics_index',
  expression:
    'create index "interaction_feedback_analytics_index" on "interaction_feedback" ("tenant_id", "interaction_id") include ("helpful", "continued_conversation", "completed_action", "requested_handoff", "implicit_satisfaction")',
})
@Index({
  name: 'interaction_feedback_commented_vote_index',
  expression:
    'create index "interaction_feedback_commented_vote_index" on "interaction_feedback" ("tenant_id", "interaction_id") where "comment" is not null and "helpful" is not null',
})
export class InteractionFeedback extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'helpful'
    | 'comment'
    | 'source'
    | 'votedAt'
    | 'history'
    | 'continuedConversation'
    | 'completedAction'
    | 'requestedHandoff'
    | 'responseTimeMs'
    | 'implicitSatisfaction';

  @OneToOne(() => AgentInteraction, { owner: true, unique: true, deleteRule: 'cascade' })
  interaction!: AgentInteraction;

  /** Latest explicit vote; null when the customer has not voted. */
  @Property({ type: 'boolean', nullable: true })
  helpful: boolean | null = null;

  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  @Property({ type: 'string', nullable: true })
  source: FeedbackSource | null = null;

  @Property({ type: 'datetime', nullable: true })
  votedAt: Date | null = null;

  @Property({ type: 'json' })
  history: FeedbackVote[] = [];

  /** The customer wrote again after this reply. */
  @Property({ type: 'boolean' })
  continuedConversation: boolean = false;

  @Property({ type: 'boolean' })
  completedAction: boolean = false;

  @Property({ type: 'boolean' })
  requestedHandoff: boolean = false;

  /** Time the customer took to answer this reply. */
  @Property({ type: 'integer', nullable: true })
  responseTimeMs: number | null = null;

  /** Satisfaction in [0, 1] estimated from the implicit signals. */
  @Property({ type: 'double', nullable: true })
  implicitSatisfaction: number | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
