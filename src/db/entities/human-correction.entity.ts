import { Enum, Check, Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { AgentInteraction } from './agent-interaction.entity';
import { TenantScoped } from './tenant-scoped';

export const CORRECTION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type CorrectionStatus = (typeof CORRECTION_STATUSES)[number];
export const CORRECTION_CATEGORIES = ['wrong_facts', 'tone', 'incomplete', 'policy', 'other'] as const;
export type CorrectionCategory = (typeof CORRECTION_CATEGORIES)[number];

/** A human agent's better version of a bot reply, waiting for (or past) approval for training. */
@Entity({ tableName: 'human_correction' })
@Check({ name: 'human_correction_quality_score_range', expression: '((quality_score >= 0) AND (quality_score <= 5))' })
@Index({ properties: ['tenant', 'status', 'createdAt'] })
@Index({ properties: ['tenant', 'createdAt'] })
export class HumanCorrection extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'interaction'
    | 'customerMessage'
    | 'reason'
    | 'category'
    | 'status'
    | 'qualityScore'
    | 'authorName'
    | 'decidedBy'
    | 'decidedAt'
    | 'rejectionReason';

  @ManyToOne(() => AgentInteraction, { nullable: true, deleteRule: 'set null' })
  interaction: AgentInteraction | null = null;

  /** What the customer asked (the question a knowledge-base answer is indexed by). */
  @Property({ type: 'text', nullable: true })
  customerMessage: string | null = null;

  @Property({ type: 'text' })
  originalReply!: string;

  @Property({ type: 'text' })
  correctedReply!: string;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Property({ type: 'string' })
  category: CorrectionCategory = 'other';

  @Enum({ items: ['pending', 'approved', 'rejected'] })
  status: CorrectionStatus = 'pending';

  /** 0–5, set by the approver (or proposed by the author). */
  @Property({ type: 'smallint', nullable: true })
  qualityScore: number | null = null;

  /** Who wrote it: `slack:U123`, `apikey:<id>`. */
  @Property({ type: 'string' })
  authorId!: string;

  @Property({ type: 'string', nullable: true })
  authorName: string | null = null;

  /** Who approved or rejected it, and when. */
  @Property({ type: 'string', nullable: true })
  decidedBy: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  decidedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  rejectionReason: string | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
