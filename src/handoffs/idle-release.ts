import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { TenantSettings } from '../db/entities';
import { releaseConversation } from '../engine/handoff-service';
import type { CustomerChannelRegistry } from '../engine/outbound';
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';

const minutes = z.number().int().min(0);

/**
 * How long a tenant's handed-off conversation may stay quiet before it goes
 * back to the bot: `settings.handoff.idleReleaseMinutes`, else the older
 * Slack-only `settings.channels.slack.idleReleaseMinutes`, else the
 * HANDOFF_IDLE_RELEASE_MINUTES default. 0 means never.
 */
export function idleReleaseMinutes(settings: TenantSettings, fallback: number): number {
  // Free-form JSON in TenantSettings: each candidate is validated before use.
  const handoff = settings.handoff as Record<string, unknown> | undefined;
  for (const candidate of [handoff?.idleReleaseMinutes, settings.channels?.slack?.idleReleaseMinutes]) {
    if (minutes.safeParse(candidate).success) return candidate as number;
  }
  return fallback;
}

export interface IdleReleaseOptions {
  now?: Date;
  /** HANDOFF_IDLE_RELEASE_MINUTES: for tenants that set nothing. */
  defaultMinutes: number;
  events?: DomainEvents;
  /** When given, each released customer is told the bot is back (channels running in this process). */
  customers?: CustomerChannelRegistry;
  logger?: Logger;
  /** Conversations looked at per run, longest waiting first (default 1,000). */
  limit?: number;
}

export interface IdleReleaseResult {
  checked: number;
  released: string[];
}

/**
 * Gives back to the bot every handed-off conversation, on every channel, in
 * which nothing happened (no message either way, no handoff, nobody taking it)
 * for its tenant's idle time. Each release is `releaseConversation`: locked,
 * audited as `system:idle-release`, announced with `conversation.released`.
 */
export async function releaseIdleConversations(
  em: EntityManager,
  options: IdleReleaseOptions,
): Promise<IdleReleaseResult> {
  const now = options.now ?? new Date();
  const rows = await em
    .getConnection()
    .execute<Array<{ id: string; tenant_id: string; settings: TenantSettings; last_activity: Date | null }>>(
      `select c.id, c.tenant_id, t.settings,
            greatest(c.handed_off_at, c.assigned_at, (select max(m.created_at) from message m where m.conversation_id = c.id)) as last_activity
       from conversation c join tenant t on t.id = c.tenant_id
      where c.status = 'handed_off'
      order by c.handed_off_at asc nulls first
      limit ?`,
      [options.limit ?? 1_000],
    );
  const released: string[] = [];
  for (const row of rows) {
    const idle = idleReleaseMinutes(row.settings, options.defaultMinutes);
    if (idle <= 0) continue;
    const last = row.last_activity ? new Date(row.last_activity).getTime() : 0;
    if (now.getTime() - last < idle * 60_000) continue;
    const result = await releaseConversation(
      em.fork(),
      {
        tenantId: row.tenant_id,
        conversationId: row.id,
        by: 'system:idle-release',
        quietSince: new Date(now.getTime() - idle * 60_000),
      },
      {
        events: options.events,
        notify: options.customers
          ? {
              customers: options.customers,
              onError: (error) =>
                options.logger?.warn(
                  { err: error, conversationId: row.id },
                  'released an idle conversation but could not tell the customer',
                ),
            }
          : undefined,
      },
    );
    if (result.released) released.push(row.id);
  }
  return { checked: rows.length, released };
}
