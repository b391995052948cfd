import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog } from '../db/entities';

/** The kinds of actor, the part of an actor string before the colon. */
export const ACTOR_KINDS = ['apikey', 'slack', 'system', 'public', 'customer'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/**
 * Who did something: `apikey:<api key id>` (a GraphQL caller), `slack:<user id>`
 * (a human agent in Slack), `system:<job>` (a scheduled job) or `public:<what>`
 * (an unauthenticated caller such as the public feedback mutation), `customer:<conversation id>`
 * (a customer asking for the bot back).
 */
export type Actor = `${ActorKind}:${string}`;

/** One audited change. `before`/`after` are plain JSON snapshots of the changed fields. */
export interface AuditEntry {
  tenantId: string;
  actor: Actor;
  /** Dotted verb, e.g. `correction.approve`, `tenant.settings.update`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Adds an AuditLog row to `em`'s unit of work without flushing, so the audit row
 * commits in the same transaction as the change it describes (or not at all).
 * Every mutation of the control plane and of the services behind it calls this.
 */
export function recordAudit(em: EntityManager, entry: AuditEntry): AuditLog {
  return em.create(AuditLog, {
    tenant: entry.tenantId,
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: entry.before ? toJson(entry.before) : null,
    after: entry.after ? toJson(entry.after) : null,
  });
}

/** Dates become ISO strings, undefined disappears: what PostgreSQL's jsonb will store anyway. */
function toJson(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** True when `value` is a well-formed actor string. */
export function isActor(value: string): value is Actor {
  const colon = value.indexOf(':');
  return colon > 0 && colon < value.length - 1 && (ACTOR_KINDS as readonly string[]).includes(value.slice(0, colon));
}
