import { Entity, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

/** Every chat platform a customer can reach parley on; the one list (GraphQL's Channel enum is checked against it). */
export const CHANNEL_NAMES = ['whatsapp', 'slack', 'terminal', 'api'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** A customer on one channel, identified by the channel's own id (a WhatsApp number or a business-scoped id). */
@Entity({ tableName: 'contact' })
@Unique({ properties: ['tenant', 'channel', 'externalId'] })
export class Contact extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'displayName' | 'feedbackOptOut';

  @Property({ type: 'string' })
  channel!: ChannelName;

  @Property({ type: 'string' })
  externalId!: string;

  @Property({ type: 'string', nullable: true })
  displayName: string | null = null;

  /** The customer wrote "stop feedback": no more 👍/👎 prompts. */
  @Property({ type: 'boolean' })
  feedbackOptOut: boolean = false;
}
