import type { EntityManager } from '@mikro-orm/postgresql';
import { InteractionFeedback, type ChannelName, type FeedbackSource } from '../db/entities';
import { pinnedToTenant } from '../db/tenant-pinned';
import { keysetPage, pageSize, type Page, type PageRequest } from '../pagination/cursor-page';

/** Filters of {@link listFeedback}; all optional, combined with AND. */
export interface FeedbackFilter {
  /** createdAt >= from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
  /** Only 👍 (true) or only 👎 (false); rows without a vote never match either. */
  helpful?: boolean | null;
  /** true: only rows where the customer voted; false: only rows with implicit signals alone. */
  voted?: boolean | null;
  source?: FeedbackSource | null;
  hasComment?: boolean | null;
  /** The channel of the conversation (whatsapp, slack, terminal, api). */
  channel?: ChannelName | null;
}

/**
 * Feedback rows of one tenant (one per bot reply that got a vote or implicit
 * signals), newest first, keyset-paginated.
 */
export async function listFeedback(
  em: EntityManager,
  input: { tenantId: string; filter?: FeedbackFilter | null } & PageRequest,
): Promise<Page<InteractionFeedback>> {
  const size = pageSize(input.first);
  const filter = input.filter ?? {};
  const createdAt: Record<string, Date> = {};
  if (filter.from) createdAt.$gte = filter.from;
  if (filter.to) createdAt.$lt = filter.to;
  const conditions: Record<string, unknown>[] = [{ tenant: input.tenantId }];
  if (Object.keys(createdAt).length) conditions.push({ createdAt });
  if (filter.helpful !== undefined && filter.helpful !== null) conditions.push({ helpful: filter.helpful });
  if (filter.voted === true) conditions.push({ helpful: { $ne: null } });
  if (filter.voted === false) conditions.push({ helpful: null });
  if (filter.source) conditions.push({ source: filter.source });
  if (filter.hasComment === true) conditions.push({ comment: { $ne: null } });
  if (filter.hasComment === false) conditions.push({ comment: null });
  if (filter.channel) conditions.push({ interaction: { conversation: { channel: filter.channel } } });
  const where = { $and: conditions };
  return keysetPage<InteractionFeedback>(em, InteractionFeedback, where, { size, after: input.after }, pinnedToTenant);
}
