import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../src/audit/audit-service';
import type { ApiKeyScope, PlatformScope } from '../../src/db/entities';
import { AppError } from '../../src/errors';
import type { GraphqlServices } from './services';
import type { Loaders } from './loaders';
import type { AuthCache } from './auth-cache';

/**
 * The authenticated caller: one API key, bound to one tenant; or a platform
 * key (`platform: true`, scope tenants:manage only), bound to no tenant: its
 * `tenantId` is a uuid no tenant has, so tenant queries find nothing.
 */
export interface Caller {
  tenantId: string;
  apiKeyId: string;
  scopes: readonly (ApiKeyScope | PlatformScope)[];
  actor: Actor;
  platform?: boolean;
}

/**
 * Per request. `em` is a fresh fork; for an authenticated caller it is a
 * `tenantScope` fork, so even a query that forgot its tenant condition cannot
 * read another tenant's rows.
 */
export interface GraphqlContext {
  caller: Caller | null;
  em: EntityManager;
  /** The client address (Express `req.ip`, proxy-aware), for rate limits. */
  ip: string;
  services: GraphqlServices;
  loaders: Loaders;
  /** This instance's key lookups: a revocation drops its entries before the mutation returns. */
  authCache?: AuthCache;
}

/** The caller, or UNAUTHENTICATED. Resolvers behind `@Authorized` always have one. */
export function callerOf(context: GraphqlContext): Caller {
  if (!context.caller)
    throw new AppError(
      'UNAUTHENTICATED',
      'Send an API key: Authorization: Bearer <key> (create one with npm run keys -- create)',
    );
  return context.caller;
}
