import type { EntityManager } from '@mikro-orm/postgresql';
import { ProviderDailySummary, ProviderUsage } from '../db/entities';
import { badInput } from '../errors';
import { keysetPage, pageSize, type Page, type PageRequest } from '../pagination/cursor-page';
import { checkRange, type TimeRange } from './time-range';

/** Filters of {@link listProviderUsage}; all optional, combined with AND. */
export interface ProviderUsageFilter {
  from?: Date | null;
  to?: Date | null;
  provider?: string | null;
  model?: string | null;
  success?: boolean | null;
  failover?: boolean | null;
  interactionId?: string | null;
  /** Include evaluation traffic (offline evaluation runs); default false: customers' calls only. */
  includeEvaluation?: boolean | null;
}

/** The tenant's provider calls, newest first, keyset-paginated. */
export async function listProviderUsage(
  em: EntityManager,
  input: { tenantId: string; filter?: ProviderUsageFilter | null } & PageRequest,
): Promise<Page<ProviderUsage>> {
  const size = pageSize(input.first);
  const filter = input.filter ?? {};
  const createdAt: Record<string, Date> = {};
  if (filter.from) createdAt.$gte = filter.from;
  if (filter.to) createdAt.$lt = filter.to;
  const where: Record<string, unknown> = { tenant: input.tenantId };
  if (Object.keys(createdAt).length) where.createdAt = createdAt;
  if (filter.provider) where.provider = filter.provider;
  if (filter.model) where.model = filter.model;
  if (filter.success !== undefined && filter.success !== null) where.success = filter.success;
  if (filter.failover !== undefined && filter.failover !== null) where.failover = filter.failover;
  if (filter.interactionId) where.interactionId = filter.interactionId;
  if (!filter.includeEvaluation) where.evaluation = false;
  return keysetPage(em, ProviderUsage, where, { size, after: input.after });
}

/**
 * Daily roll-ups written by the daily aggregation job, oldest day first.
 * `range` selects days whose UTC date is in [from, to).
 */
export async function listProviderDailySummaries(
  em: EntityManager,
  input: { tenantId: string; range: TimeRange; provider?: string | null; model?: string | null },
): Promise<ProviderDailySummary[]> {
  const range = checkRange(input.range);
  const where: Record<string, unknown> = {
    tenant: input.tenantId,
    day: { $gte: isoDay(range.from), $lt: isoDay(range.to) },
  };
  if (input.provider) where.provider = input.provider;
  if (input.model) where.model = input.model;
  const rows = await em.find(ProviderDailySummary, where, {
    orderBy: { day: 'asc', provider: 'asc', model: 'asc' },
    limit: 5000,
  });
  if (rows.length === 5000) throw badInput('Too many daily summaries: narrow the range or filter by provider or model');
  return rows;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
