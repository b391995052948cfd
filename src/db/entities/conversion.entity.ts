import { Entity, Index, ManyToOne, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { Conversation } from './conversation.entity';
import { TenantScoped } from './tenant-scoped';

/**
 * A completed action a conversation led to (an order placed, a booking made),
 * reported by the tenant's backend or BI through `recordConversion`. The
 * conversion rate and the revenue attribution of the business metrics read it.
 */
@Entity({ tableName: 'conversion' })
@Index({ properties: ['tenant', 'occurredAt'] })
@Index({ properties: ['conversation'] })
@Unique({ properties: ['tenant', 'externalId'] })
export class Conversion extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'valueUsd' | 'externalId' | 'occurredAt';

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  /** What was completed: `order`, `booking`, ... (lower case). */
  @Property({ type: 'string' })
  kind!: string;

  /** The action's value in USD; null: the tenant's `business.conversionValueUsd` applies. */
  @Property({ type: 'double', nullable: true })
  valueUsd: number | null = null;

  /** The caller's id of the action: recording it again changes nothing. */
  @Property({ type: 'string', nullable: true })
  externalId: string | null = null;

  @Property({ type: 'datetime' })
  occurredAt: Date = new Date();
}
