import { gql } from './client';
import type { PageInfo } from './operations';

/** API keys and the audit log of the tenant (the Access page; all need users:manage). */
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The key behind this console session. */
  current: boolean;
}
const KEY_FIELDS = 'id name prefix scopes createdAt lastUsedAt revokedAt current';

export const API_KEYS = gql<{ apiKeys: ApiKeyRow[] }>(`query ApiKeys { apiKeys { ${KEY_FIELDS} } }`);

export const CREATE_API_KEY = gql<
  { createApiKey: { key: string; apiKey: ApiKeyRow } },
  { name: string; scopes: string[] }
>(`mutation CreateApiKey($name: String!, $scopes: [String!]!) {
  createApiKey(name: $name, scopes: $scopes) { key apiKey { ${KEY_FIELDS} } }
}`);

export const REVOKE_API_KEY = gql<{ revokeApiKey: ApiKeyRow }, { id: string; confirmOwnKey: boolean | null }>(
  `mutation RevokeApiKey($id: ID!, $confirmOwnKey: Boolean) {
  revokeApiKey(id: $id, confirmOwnKey: $confirmOwnKey) { ${KEY_FIELDS} }
}`,
);

export interface AuditEntry {
  id: string;
  createdAt: string;
  actor: string;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  before: string | null;
  after: string | null;
}

export interface AuditFilter {
  action?: string | null;
  actor?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  from?: string | null;
  to?: string | null;
}

export const AUDIT_LOG = gql<
  { auditLog: { totalCount: number; pageInfo: PageInfo; nodes: AuditEntry[] } },
  { filter: AuditFilter | null; first: number; after: string | null }
>(`query AuditLog($filter: AuditLogFilterInput, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id createdAt actor actorName action targetType targetId targetName before after }
  }
}`);

export const ACCESS_OPERATIONS = { API_KEYS, CREATE_API_KEY, REVOKE_API_KEY, AUDIT_LOG };
