import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { listAuditLog, type AuditLogEntry } from '../../src/audit/audit-listing';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../src/auth/api-key-admin';
import type { ApiKey } from '../../src/db/entities';
import { toConnection } from '../common/connection.types';
import { callerOf, type Caller, type GraphqlContext } from '../common/context';
import {
  ApiKeyType,
  AuditLogConnection,
  AuditLogFilterInput,
  CreatedApiKeyType,
  type AuditLogEntryType,
} from './access.types';

function toApiKey(key: ApiKey, caller: Caller): ApiKeyType {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: [...key.scopes],
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
    current: key.id === caller.apiKeyId,
  };
}

function toEntry(entry: AuditLogEntry): AuditLogEntryType {
  const { row } = entry;
  return {
    id: row.id,
    createdAt: row.createdAt,
    actor: row.actor,
    actorName: entry.actorName,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    targetName: entry.targetName,
    before: row.before ? JSON.stringify(row.before) : null,
    after: row.after ? JSON.stringify(row.after) : null,
  };
}

/** API keys and the audit log of the caller's tenant (the console's Access page). */
@Resolver()
export class AccessResolver {
  @Authorized('users:manage')
  @Query(() => [ApiKeyType], {
    description:
      "The tenant's API keys, newest first, revoked ones included (never the key itself). Scope: users:manage.",
  })
  async apiKeys(@Ctx() context: GraphqlContext): Promise<ApiKeyType[]> {
    const caller = callerOf(context);
    const keys = await listApiKeys(context.em, { tenantId: caller.tenantId });
    return keys.map((key) => toApiKey(key, caller));
  }

  @Authorized('users:manage')
  @Mutation(() => CreatedApiKeyType, {
    description:
      'Creates a key for the tenant and returns it once (only its hash is kept). It can only have scopes the calling key has itself (FORBIDDEN otherwise). Audited. Scope: users:manage.',
  })
  async createApiKey(
    @Ctx() context: GraphqlContext,
    @Arg('name', () => String, { description: 'What or who will use the key (1–100 characters).' }) name: string,
    @Arg('scopes', () => [String], {
      description: 'At least one of analytics:view, corrections:write, users:manage.',
    })
    scopes: string[],
  ): Promise<CreatedApiKeyType> {
    const caller = callerOf(context);
    const { apiKey, key } = await issueApiKey(context.em, {
      tenantId: caller.tenantId,
      name,
      scopes,
      actor: caller.actor,
      grantableScopes: caller.scopes,
    });
    return { key, apiKey: toApiKey(apiKey, caller) };
  }

  @Authorized('users:manage')
  @Mutation(() => ApiKeyType, {
    description:
      'Revokes a key of the tenant: it and the console sessions opened with it stop working at once, on every instance. ' +
      'Revoking the key making the request needs confirmOwnKey: true (BAD_USER_INPUT otherwise). CONFLICT when already revoked. Audited. Scope: users:manage.',
  })
  async revokeApiKey(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'The key id (from apiKeys).' }) id: string,
    @Arg('confirmOwnKey', () => Boolean, {
      nullable: true,
      description: 'Set to true to revoke the key you are using (you lose access at once).',
    })
    confirmOwnKey: boolean | null,
  ): Promise<ApiKeyType> {
    const caller = callerOf(context);
    const key = await revokeApiKey(context.em, {
      apiKeyId: id,
      tenantId: caller.tenantId,
      actor: caller.actor,
      currentApiKeyId: caller.apiKeyId,
      confirmOwnKey: confirmOwnKey ?? false,
    });
    // This instance forgets the key now; the others on the commit's parley_api_key_revoked notification.
    context.authCache?.forgetKey(key.id);
    return toApiKey(key, caller);
  }

  @Authorized('users:manage')
  @Query(() => AuditLogConnection, {
    description: "The tenant's audit log, newest first, as a Relay connection. Scope: users:manage.",
  })
  async auditLog(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => AuditLogFilterInput, { nullable: true, description: 'Filters; all optional.' })
    filter: AuditLogFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null,
  ) {
    const page = await listAuditLog(context.em, { tenantId: callerOf(context).tenantId, filter, first, after });
    return toConnection({ ...page, nodes: page.nodes.map(toEntry) });
  }
}
