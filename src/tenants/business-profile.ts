import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit/audit-service';
import { Tenant, type BusinessProfile } from '../db/entities';
import { badInput, notFound } from '../errors';
import { withLockedTenant } from './locked-tenant';

/**
 * A tenant's business profile (`settings.profile`): the values answers may
 * use as `{{Name}}` placeholders (see src/engine/placeholders.ts for which
 * names each field answers to). Free-form `values` cover anything else
 * (`{"Order History": "Account → Orders"}`).
 */

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

const changeSchema = z.object({
  companyName: text(100).nullish(),
  supportPhone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()./-]{3,28}[0-9]$/, 'must be a phone number such as +44 20 7946 0000')
    .nullish(),
  supportEmail: z.string().trim().email('must be an email address').max(200).nullish(),
  website: z
    .string()
    .trim()
    .max(200)
    .regex(
      /^(https?:\/\/)?[a-z0-9-]+(\.[a-z0-9-]+)+(\/\S*)?$/i,
      'must be a web address such as shop.example.com or https://shop.example.com',
    )
    .nullish(),
  liveChatUrl: z
    .string()
    .trim()
    .max(500)
    .url('must be a URL such as https://shop.example.com/chat')
    .refine((url) => /^https?:/i.test(url), 'must be an http(s) URL')
    .nullish(),
  openingHours: text(200).nullish(),
  /** Replaces the whole map when given; a value of null or "" removes that name. */
  values: z
    .record(
      z
        .string()
        .trim()
        .min(1)
        .max(60)
        .regex(/^[\p{L}\p{N} _&/-]+$/u, 'placeholder names hold letters, digits, spaces, _ & / -'),
      z.string().trim().max(500).nullable(),
    )
    .refine((values) => Object.keys(values).length <= 100, 'at most 100 values')
    .nullish(),
});

export type BusinessProfileChange = z.input<typeof changeSchema>;

export function readBusinessProfile(tenant: Tenant): BusinessProfile {
  return tenant.settings.profile ?? {};
}

export async function getBusinessProfile(em: EntityManager, tenantId: string): Promise<BusinessProfile> {
  const tenant = await em.findOne(Tenant, { id: tenantId });
  if (!tenant) throw notFound('Tenant', tenantId);
  return readBusinessProfile(tenant);
}

/**
 * Validates and merges a change: absent fields stay, null (or "") removes a
 * field. `values`, when given, is merged name by name (null removes a name).
 * Audited as `tenant.profile.update` with before/after.
 */
export async function updateBusinessProfile(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; change: BusinessProfileChange },
): Promise<BusinessProfile> {
  const blanksAsNull = Object.fromEntries(
    Object.entries(input.change).map(([key, value]) => [key, value === '' ? null : value]),
  );
  const parsed = changeSchema.safeParse(blanksAsNull);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'profile';
    throw badInput(`profile.${field}: ${issue.message}`, { field });
  }
  const change = parsed.data;
  return withLockedTenant(em, input.tenantId, async (tx, tenant) => {
    const before = structuredClone(readBusinessProfile(tenant));
    const next: BusinessProfile = structuredClone(before);
    for (const key of [
      'companyName',
      'supportPhone',
      'supportEmail',
      'website',
      'liveChatUrl',
      'openingHours',
    ] as const) {
      const value = change[key];
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    if (change.values === null) delete next.values;
    else if (change.values) {
      const values = { ...(next.values ?? {}) };
      for (const [name, value] of Object.entries(change.values)) {
        if (value === null || value === '') delete values[name];
        else values[name] = value;
      }
      next.values = values;
    }
    // A new object, so the change set sees the JSON column change.
    tenant.settings = { ...tenant.settings, profile: next };
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'tenant.profile.update',
      targetType: 'Tenant',
      targetId: input.tenantId,
      before: { ...before },
      after: { ...next },
    });
    return next;
  });
}
