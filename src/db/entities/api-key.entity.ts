import { Entity, Index, OptionalProps, Property } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

export const API_KEY_SCOPES = ['analytics:view', 'corrections:write', 'users:manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A control-plane credential. Only the SHA-256 of the key is stored; the key itself is shown once. */
@Entity({ tableName: 'api_key' })
@Index({ properties: ['tenant', 'createdAt'] })
export class ApiKey extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt';

  @Property({ type: 'string' })
  name!: string;

  /** The first characters of the key, to recognise it in lists. */
  @Property({ type: 'string' })
  prefix!: string;

  @Property({ type: 'string', unique: true, hidden: true })
  keyHash!: string;

  @Property({ type: 'json' })
  scopes!: ApiKeyScope[];

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
