import { Enum, Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { Contact, type ChannelName } from './contact.entity';
import { TenantScoped } from './tenant-scoped';

export const CONVERSATION_STATUSES = ['bot', 'handed_off', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

@Entity({ tableName: 'conversation' })
@Index({ properties: ['tenant', 'lastActivityAt'] })
@Index({ properties: ['contact', 'status'] })
// At most one open conversation per contact: the engine's find-or-create relies on it.
@Index({
  name: 'conversation_one_open_per_contact',
  expression: `create unique index "conversation_one_open_per_contact" on "conversation" ("contact_id") where "status" <> 'closed'`,
})
// The queue of conversations waiting for a human, oldest first, and the idle-release job's scan.
@Index({
  name: 'conversation_handoff_queue',
  expression: `create index "conversation_handoff_queue" on "conversation" ("tenant_id", "handed_off_at") where "status" = 'handed_off'`,
})
export class Conversation extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'status'
    | 'startedAt'
    | 'lastActivityAt'
    | 'handoffReason'
    | 'handedOffAt'
    | 'closedAt'
    | 'assignee'
    | 'assignedAt';

  @ManyToOne(() => Contact, { deleteRule: 'cascade' })
  contact!: Contact;

  @Property({ type: 'string' })
  channel!: ChannelName;

  @Enum({ items: ['bot', 'handed_off', 'closed'] })
  status: ConversationStatus = 'bot';

  @Property({ type: 'text', nullable: true })
  handoffReason: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  handedOffAt: Date | null = null;

  /** Who has taken the handed-off conversation (`apikey:<id>`, `slack:<user>`); null while it waits in the queue. */
  @Property({ type: 'text', nullable: true })
  assignee: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  assignedAt: Date | null = null;

  @Property({ type: 'datetime' })
  startedAt: Date = new Date();

  @Property({ type: 'datetime' })
  lastActivityAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;
}
