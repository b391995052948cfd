import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** Scopes only a platform key can hold; tenant keys (ApiKey) can never have them. */
export const PLATFORM_SCOPES = ['tenants:manage'] as const;
export type PlatformScope = (typeof PLATFORM_SCOPES)[number];

/**
 * A credential of whoever runs the parley installation (not of a tenant):
 * creates, lists and disables tenants and issues their first key. Kept in its
 * own table so no tenant key can ever be given its scope. Only the SHA-256 of
 * the key is stored; the key is shown once (`npm run tenants -- platform-key`).
 */
@Entity({ tableName: 'platform_api_key' })
export class PlatformApiKey {
  [OptionalProps]?: 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'scopes';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string' })
  name!: string;

  @Property({ type: 'string' })
  prefix!: string;

  @Property({ type: 'string', unique: true, hidden: true })
  keyHash!: string;

  @Property({ type: 'json' })
  scopes: PlatformScope[] = ['tenants:manage'];

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
