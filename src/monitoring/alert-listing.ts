import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Alert, type AlertSeverity, type AlertStatus } from '../db/entities';
import { pinnedToTenant } from '../db/tenant-pinned';
import { badInput } from '../errors';
import { isUuid } from '../ids';
import { pageSize, type Page, type PageRequest } from '../pagination/cursor-page';

export interface AlertFilter {
  status?: AlertStatus | null;
  severity?: AlertSeverity | null;
  /** The rule (or raiser) an alert belongs to: the part of its key before the first `:`. */
  rule?: string | null;
  acknowledged?: boolean | null;
}

/** The rule of an alert: `provider-failure:openai` → `provider-failure`. */
export const ruleOf = (key: string): string => key.split(':')[0]!;

/**
 * Keyset position: firing alerts before resolved ones ('firing' < 'resolved'),
 * then the newest episode first (firedAt desc), then id desc.
 */
interface AlertPosition {
  status: AlertStatus;
  firedAt: Date;
  id: string;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export function encodeAlertCursor(alert: AlertPosition): string {
  return Buffer.from(JSON.stringify(['alert', alert.status, alert.firedAt.toISOString(), alert.id])).toString(
    'base64url',
  );
}

export function decodeAlertCursor(cursor: string): AlertPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 4 && parsed[0] === 'alert') {
      const [, status, firedAt, id] = parsed as unknown[];
      if (
        (status === 'firing' || status === 'resolved') &&
        typeof firedAt === 'string' &&
        ISO_TIMESTAMP.test(firedAt) &&
        typeof id === 'string' &&
        isUuid(id)
      ) {
        const at = new Date(firedAt);
        if (!Number.isNaN(at.getTime())) return { status, firedAt: at, id };
      }
    }
  } catch {
    // any undecodable cursor is the caller's mistake: the error below
  }
  throw badInput('The cursor is not valid: pass an endCursor returned by a previous page of alerts');
}

const RULE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * A tenant's alerts, firing first (newest episode first), then resolved ones,
 * in keyset pages. Pinned to the tenant whatever the entity manager's filters.
 */
export async function listAlerts(
  em: EntityManager,
  input: PageRequest & { tenantId: string; filter?: AlertFilter | null },
): Promise<Page<Alert>> {
  const size = pageSize(input.first);
  const filter = input.filter ?? {};
  const conditions: FilterQuery<Alert>[] = [{ tenant: input.tenantId }];
  if (filter.status) conditions.push({ status: filter.status });
  if (filter.severity) conditions.push({ severity: filter.severity });
  if (filter.acknowledged !== null && filter.acknowledged !== undefined)
    conditions.push({ acknowledgedAt: filter.acknowledged ? { $ne: null } : null });
  if (filter.rule !== null && filter.rule !== undefined) {
    if (!RULE_NAME.test(filter.rule))
      throw badInput('filter.rule must be a rule name such as latency-p95 or provider-failure (lowercase, dashes)');
    conditions.push({ $or: [{ key: filter.rule }, { key: { $like: `${filter.rule}:%` } }] });
  }
  const where: FilterQuery<Alert> = { $and: conditions };
  const after = input.after ? decodeAlertCursor(input.after) : null;
  const afterWhere: FilterQuery<Alert> = after
    ? {
        $and: [
          ...conditions,
          {
            $or: [
              { status: { $gt: after.status } },
              { status: after.status, firedAt: { $lt: after.firedAt } },
              { status: after.status, firedAt: after.firedAt, id: { $lt: after.id } },
            ],
          },
        ],
      }
    : where;
  const [rows, totalCount] = await Promise.all([
    em.find(Alert, afterWhere, {
      ...pinnedToTenant,
      orderBy: { status: 'asc', firedAt: 'desc', id: 'desc' },
      limit: size + 1,
    }),
    em.count(Alert, where, pinnedToTenant),
  ]);
  const nodes = rows.slice(0, size);
  const cursors = nodes.map(encodeAlertCursor);
  return { nodes, cursors, hasNextPage: rows.length > size, endCursor: cursors.at(-1) ?? null, totalCount };
}
