import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { HumanCorrection } from './human-correction.entity';
import { TenantScoped } from './tenant-scoped';

export type KnowledgeSource = 'seed' | 'manual' | 'correction';

/** An approved answer the offline knowledge-base provider can give. */
@Entity({ tableName: 'knowledge_article' })
@Index({ properties: ['tenant', 'active'] })
export class KnowledgeArticle extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'topic' | 'source' | 'correction' | 'active';

  /** A typical customer question this answers (indexed for search). */
  @Property({ type: 'text' })
  question!: string;

  @Property({ type: 'text' })
  answer!: string;

  /** orders, refunds, delivery, accounts, ... */
  @Property({ type: 'string', nullable: true })
  topic: string | null = null;

  @Property({ type: 'string' })
  source: KnowledgeSource = 'manual';

  @ManyToOne(() => HumanCorrection, { nullable: true, deleteRule: 'set null' })
  correction: HumanCorrection | null = null;

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
