import { BeforeCreate, BeforeUpdate, Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { normalizeQuestion } from '../../knowledge/normalize';
import { HumanCorrection } from './human-correction.entity';
import { TenantScoped } from './tenant-scoped';

export type KnowledgeSource = 'seed' | 'manual' | 'correction' | 'import';
/** Why an article is not active: an operator retired it, or a newer article for the same question replaced it. */
export type KnowledgeRetiredReason = 'retired' | 'superseded';

/**
 * An approved answer the offline knowledge-base provider can give. Changes go
 * through src/knowledge/knowledge-service.ts, always as plain INSERT/UPDATE
 * (a database trigger may signal them), each with a KnowledgeArticleRevision.
 */
@Entity({ tableName: 'knowledge_article' })
@Index({ properties: ['tenant', 'active'] })
@Index({ properties: ['tenant', 'normalizedQuestion'] })
export class KnowledgeArticle extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'topic'
    | 'source'
    | 'correction'
    | 'active'
    | 'normalizedQuestion'
    | 'version'
    | 'retiredAt'
    | 'retiredReason'
    | 'supersededBy';

  /** A typical customer question this answers (indexed for search). */
  @Property({ type: 'text' })
  question!: string;

  /** `question` normalised (case, punctuation, spacing): one active article per normalised question. */
  @Property({ type: 'text', default: '' })
  normalizedQuestion: string = '';

  @Property({ type: 'text' })
  answer!: string;

  /** orders, refunds, delivery, accounts, ... (lower case) */
  @Property({ type: 'string', nullable: true })
  topic: string | null = null;

  @Property({ type: 'string' })
  source: KnowledgeSource = 'manual';

  @ManyToOne(() => HumanCorrection, { nullable: true, deleteRule: 'set null' })
  correction: HumanCorrection | null = null;

  @Property({ type: 'boolean' })
  active: boolean = true;

  /** Starts at 1; each change (edit, retire, restore) adds one and writes a revision. */
  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  @Property({ type: 'datetime', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: 'string', nullable: true })
  retiredReason: KnowledgeRetiredReason | null = null;

  /** The newer article that replaced this one (same normalised question). */
  @ManyToOne(() => KnowledgeArticle, { nullable: true, deleteRule: 'set null' })
  supersededBy: KnowledgeArticle | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  // Kept in step however the row is written (the service sets it too; seeds and tests need not).
  @BeforeCreate()
  @BeforeUpdate()
  normalize(): void {
    this.normalizedQuestion = normalizeQuestion(this.question);
  }
}
