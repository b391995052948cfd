import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, AuditLog } from '../db/entities';
import { pinnedToTenant } from '../db/tenant-pinned';
import { badInput } from '../errors';
import { isUuid } from '../ids';
import { keysetPage, pageSize, type Page, type PageRequest } from '../pagination/cursor-page';

/** Filters of {@link listAuditLog}; all optional, combined with AND. */
export interface AuditLogFilter {
  /** An action (`apikey.revoke`) or a dotted prefix of actions (`apikey` matches `apikey.create` and `apikey.revoke`). */
  action?: string | null;
  /** Exactly this actor, e.g. `apikey:<id>`, `slack:U123`, `system:keys-cli`. */
  actor?: string | null;
  /** Only changes of this kind of thing, e.g. `ApiKey`, `Correction`. */
  targetType?: string | null;
  /** Only changes of this one thing (its id). */
  targetId?: string | null;
  /** createdAt >= from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
}

/** One audit row with readable names for the keys it mentions (null when the actor or target is not a key). */
export interface AuditLogEntry {
  row: AuditLog;
  /** The name of the key behind an `apikey:<id>` actor. */
  actorName: string | null;
  /** The name of an `ApiKey` target. */
  targetName: string | null;
}

const MAX_FILTER_LENGTH = 200;

function text(name: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_FILTER_LENGTH) {
    throw badInput(`The ${name} filter must be 1–${MAX_FILTER_LENGTH} characters (or left out)`);
  }
  return trimmed;
}

/** `%`, `_` and `\` are literal in an action prefix. */
function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * The audit log of one tenant, newest first, keyset-paginated (see
 * cursor-page.ts), with the names of the API keys that acted or were acted on.
 */
export async function listAuditLog(
  em: EntityManager,
  input: { tenantId: string; filter?: AuditLogFilter | null } & PageRequest,
): Promise<Page<AuditLogEntry>> {
  const size = pageSize(input.first);
  const filter = input.filter ?? {};
  if (filter.from && filter.to && filter.from >= filter.to) {
    throw badInput('The time range is empty: from must be before to');
  }
  const conditions: Record<string, unknown>[] = [{ tenant: input.tenantId }];
  const action = text('action', filter.action);
  if (action) conditions.push({ $or: [{ action }, { action: { $like: `${likeLiteral(action)}.%` } }] });
  const actor = text('actor', filter.actor);
  if (actor) conditions.push({ actor });
  const targetType = text('targetType', filter.targetType);
  if (targetType) conditions.push({ targetType });
  const targetId = text('targetId', filter.targetId);
  if (targetId) conditions.push({ targetId });
  const createdAt: Record<string, Date> = {};
  if (filter.from) createdAt.$gte = filter.from;
  if (filter.to) createdAt.$lt = filter.to;
  if (Object.keys(createdAt).length) conditions.push({ createdAt });
  const page = await keysetPage<AuditLog>(
    em,
    AuditLog,
    { $and: conditions },
    { size, after: input.after },
    pinnedToTenant,
  );
  const names = await keyNames(em, input.tenantId, page.nodes);
  return {
    ...page,
    nodes: page.nodes.map((row) => ({
      row,
      actorName: names.get(keyIdOfActor(row.actor) ?? '') ?? null,
      targetName: row.targetType === 'ApiKey' ? (names.get(row.targetId ?? '') ?? null) : null,
    })),
  };
}

function keyIdOfActor(actor: string): string | null {
  return actor.startsWith('apikey:') ? actor.slice('apikey:'.length) : null;
}

/** Names of the tenant's keys mentioned on a page, in one query. */
async function keyNames(em: EntityManager, tenantId: string, rows: AuditLog[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const row of rows) {
    const actorKey = keyIdOfActor(row.actor);
    if (actorKey && isUuid(actorKey)) ids.add(actorKey);
    if (row.targetType === 'ApiKey' && row.targetId && isUuid(row.targetId)) ids.add(row.targetId);
  }
  if (!ids.size) return new Map();
  const keys = await em.find(ApiKey, { id: { $in: [...ids] }, tenant: tenantId }, { fields: ['id', 'name'] });
  return new Map(keys.map((key) => [key.id, key.name]));
}
