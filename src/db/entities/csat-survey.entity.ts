import { Check, Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { Conversation } from './conversation.entity';
import { TenantScoped } from './tenant-scoped';

/**
 * One end-of-conversation satisfaction survey (Chatwoot's pattern): asked when
 * a conversation has gone quiet, answered by the customer's reply 1–5.
 */
@Entity({ tableName: 'csat_survey' })
@Check({ name: 'csat_survey_score_range', expression: '((score >= 1) AND (score <= 5))' })
@Index({ properties: ['tenant', 'askedAt'] })
@Index({ properties: ['conversation', 'askedAt'] })
export class CsatSurvey extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'score' | 'answeredAt' | 'messageId';

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @Property({ type: 'datetime' })
  askedAt!: Date;

  /** The outbound message that asked. */
  @Property({ type: 'uuid', nullable: true })
  messageId: string | null = null;

  /** 1 (very unsatisfied) to 5 (very satisfied); null until answered. */
  @Property({ type: 'smallint', nullable: true })
  score: number | null = null;

  @Property({ type: 'datetime', nullable: true })
  answeredAt: Date | null = null;
}
