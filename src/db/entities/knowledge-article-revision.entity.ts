import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { KnowledgeArticle } from './knowledge-article.entity';
import { TenantScoped } from './tenant-scoped';

export type KnowledgeRevisionAction = 'create' | 'edit' | 'retire' | 'restore' | 'supersede' | 'import';

/** One version of a knowledge article: what it said after a change, who made it and why. Never updated. */
@Entity({ tableName: 'knowledge_article_revision' })
@Index({ properties: ['tenant', 'article', 'version'] })
export class KnowledgeArticleRevision extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'topic' | 'note';

  @ManyToOne(() => KnowledgeArticle, { deleteRule: 'cascade' })
  article!: KnowledgeArticle;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'string' })
  action!: KnowledgeRevisionAction;

  @Property({ type: 'text' })
  question!: string;

  @Property({ type: 'text' })
  answer!: string;

  @Property({ type: 'string', nullable: true })
  topic: string | null = null;

  @Property({ type: 'boolean' })
  active!: boolean;

  /** An actor string (`apikey:<id>`, `slack:<user>`, `system:<cli>`). */
  @Property({ type: 'string' })
  actor!: string;

  /** Why (a retire reason, "superseded by <id>", the import file). */
  @Property({ type: 'text', nullable: true })
  note: string | null = null;
}
