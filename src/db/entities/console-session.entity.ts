import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { ApiKey } from './api-key.entity';
import { TenantScoped } from './tenant-scoped';

/**
 * An admin-console sign-in: the browser holds a random token in an HttpOnly
 * cookie, the database holds its SHA-256 and the API key it stands for, so
 * every instance recognises it and revoking the key ends the session.
 */
@Entity({ tableName: 'console_session' })
@Index({ properties: ['expiresAt'] })
export class ConsoleSession extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'lastSeenAt';

  @Property({ type: 'string', unique: true, hidden: true })
  tokenHash!: string;

  @ManyToOne(() => ApiKey, { deleteRule: 'cascade' })
  apiKey!: ApiKey;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime' })
  lastSeenAt: Date = new Date();

  /** Browser user agent at sign-in, to recognise sessions in a list. */
  @Property({ type: 'string', length: 300, nullable: true })
  userAgent: string | null = null;
}
