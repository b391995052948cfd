import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit/audit-service';
import { Tenant, type TenantSettings } from '../db/entities';
import { badInput } from '../errors';
import { withLockedTenant } from './locked-tenant';

/**
 * A tenant's Slack settings, kept in `tenant.settings.channels.slack`:
 *
 * ```json
 * { "handoffChannel": "C0HANDOFF", "reviewChannel": "C0REVIEW", "oncallChannel": "C0ONCALL",
 *   "approvers": ["U0LEAD"], "reviewSampleRate": 0.1, "idleReleaseMinutes": 30 }
 * ```
 * - `handoffChannel`: where handed-off conversations are posted (falls back to
 *   `settings.handoffTarget` when that is a Slack channel id).
 * - `reviewChannel`: bot replies to review (👎, handoffs, a sample of the rest).
 * - `oncallChannel`: alerts.
 * - `approvers`: Slack user ids holding `users:manage` for corrections (Approve / Reject).
 * - `reviewSampleRate`: share (0–1) of other bot replies also sent for review (default 0.1).
 * - `idleReleaseMinutes`: a handed-off conversation without any message for this
 *   long goes back to the bot (default 30; 0 turns it off).
 */
export interface SlackTenantSettings {
  handoffChannel: string | null;
  reviewChannel: string | null;
  oncallChannel: string | null;
  approvers: string[];
  reviewSampleRate: number;
  idleReleaseMinutes: number;
}

const channelId = z
  .string()
  .regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id such as C0123ABCD (channel details → About)');

export const slackTenantSettingsSchema = z.object({
  handoffChannel: channelId.nullish(),
  reviewChannel: channelId.nullish(),
  oncallChannel: channelId.nullish(),
  approvers: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be Slack user ids such as U0123ABCD')).default([]),
  reviewSampleRate: z.number().min(0).max(1).default(0.1),
  idleReleaseMinutes: z.number().int().min(0).default(30),
});

/** The tenant's Slack settings with defaults; invalid fields are dropped (and reported by `slackSettingsProblems`). */
export function readSlackSettings(settings: TenantSettings): SlackTenantSettings {
  // Channel bindings are free-form JSON in TenantSettings; each field is validated below.
  const raw = (settings.channels?.slack ?? {}) as Record<string, unknown>;
  const cleaned: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = slackTenantSettingsSchema.shape[key as keyof typeof slackTenantSettingsSchema.shape];
    if (field && field.safeParse(value).success) cleaned[key] = value;
  }
  const parsed = slackTenantSettingsSchema.parse(cleaned);
  const fallbackHandoff =
    typeof settings.handoffTarget === 'string' && channelId.safeParse(settings.handoffTarget).success
      ? settings.handoffTarget
      : null;
  return {
    handoffChannel: parsed.handoffChannel ?? fallbackHandoff,
    reviewChannel: parsed.reviewChannel ?? null,
    oncallChannel: parsed.oncallChannel ?? null,
    approvers: parsed.approvers,
    reviewSampleRate: parsed.reviewSampleRate,
    idleReleaseMinutes: parsed.idleReleaseMinutes,
  };
}

/** Human-readable problems with a tenant's Slack settings, for the start-up log and `/parley status`. */
export function slackSettingsProblems(settings: TenantSettings): string[] {
  const raw = settings.channels?.slack;
  if (raw === undefined) return [];
  const result = slackTenantSettingsSchema.safeParse(raw);
  return result.success
    ? []
    : result.error.issues.map((issue) => `settings.channels.slack.${issue.path.join('.')} ${issue.message}`);
}

/** Tenants whose Slack settings name `channel` (as handoff, review or on-call channel). */
export async function tenantsForChannel(em: EntityManager, channel: string): Promise<Tenant[]> {
  const tenants = await em.find(Tenant, {}, { orderBy: { name: 'asc' } });
  return tenants.filter((tenant) => {
    const slack = readSlackSettings(tenant.settings);
    return slack.handoffChannel === channel || slack.reviewChannel === channel || slack.oncallChannel === channel;
  });
}

/** Tenants with any Slack channel configured. */
export async function slackTenants(em: EntityManager): Promise<Array<{ tenant: Tenant; slack: SlackTenantSettings }>> {
  const tenants = await em.find(Tenant, {}, { orderBy: { name: 'asc' } });
  return tenants
    .map((tenant) => ({ tenant, slack: readSlackSettings(tenant.settings) }))
    .filter(({ slack }) => slack.handoffChannel || slack.reviewChannel || slack.oncallChannel);
}

/** Deterministic sampling: the same interaction is always in or always out. */
export function inReviewSample(interactionId: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  let hash = 2166136261;
  for (let index = 0; index < interactionId.length; index++) {
    hash ^= interactionId.charCodeAt(index);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) / 0x1_0000_0000 < rate;
}

/** A change to a tenant's Slack settings: absent keys stay, `null` removes a key (its default applies). */
export type SlackSettingsChange = { [K in keyof SlackTenantSettings]?: SlackTenantSettings[K] | null };

/**
 * Validates and merges `change` into `settings.channels.slack`, audited like
 * every settings change. Throws BAD_USER_INPUT naming the first bad field.
 */
export async function setSlackSettings(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; change: SlackSettingsChange },
): Promise<SlackTenantSettings> {
  const partial = slackTenantSettingsSchema
    .partial()
    .safeParse(
      Object.fromEntries(Object.entries(input.change).filter(([, value]) => value !== null && value !== undefined)),
    );
  if (!partial.success) {
    const issue = partial.error.issues[0]!;
    throw badInput(`settings.channels.slack.${issue.path.join('.')}: ${issue.message}`, {
      field: issue.path.join('.'),
    });
  }
  return withLockedTenant(em, input.tenantId, async (tx, tenant) => {
    // Free-form JSON, copied for the audit row and merged key by key.
    const before = { ...((tenant.settings.channels?.slack ?? {}) as Record<string, unknown>) };
    const next: Record<string, unknown> = { ...before };
    for (const [key, value] of Object.entries(input.change)) {
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    tenant.settings = { ...tenant.settings, channels: { ...(tenant.settings.channels ?? {}), slack: next } };
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'tenant.settings.slack.update',
      targetType: 'Tenant',
      targetId: input.tenantId,
      before,
      after: next,
    });
    return readSlackSettings(tenant.settings);
  });
}
