import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit/audit-service';
import { FEEDBACK_PROMPT_FREQUENCIES, Tenant, type FeedbackPromptFrequency, type TenantSettings } from '../db/entities';
import { badInput, notFound } from '../errors';
import { defaultCatalogue, mergeCatalogue, type ModelCatalogue } from '../providers/model-catalogue';
import { firstRoutingProblem, routingFieldSchemas } from '../providers/routing-settings';
import type { SecretBox } from '../security/secret-box';
import { withLockedTenant } from './locked-tenant';
import { readTenantSecrets, setTenantSecrets } from './tenant-service';

/** Secrets a tenant may set through the control plane; they can be written and cleared, never read back. */
export const SETTABLE_SECRETS = ['openaiApiKey', 'geminiApiKey', 'twilioAuthToken', 'slackBotToken'] as const;
export type SettableSecret = (typeof SETTABLE_SECRETS)[number];

/**
 * A change to the tenant's settings. Absent fields stay as they are; `null`
 * resets a field to the default in code. Settings the control plane does not
 * know (channel bindings, Slack approvers) are never touched.
 */
export interface TenantSettingsChange {
  systemPrompt?: string | null;
  feedbackPromptFrequency?: FeedbackPromptFrequency | null;
  feedbackPromptEvery?: number | null;
  handoffTarget?: string | null;
  routing?: {
    cheapThreshold?: number | null;
    reasoningThreshold?: number | null;
    longContextTokens?: number | null;
    cheapModel?: string | null;
    balancedModel?: string | null;
    longContextModel?: string | null;
    reasoningModel?: string | null;
    fallbackOrder?: string[] | null;
  } | null;
}

function changeSchema(catalogue: ModelCatalogue) {
  // The routing fields are the router's own schemas (src/providers/routing-settings.ts), under the input's names.
  const routing = routingFieldSchemas(catalogue);
  return z.object({
    systemPrompt: z.string().trim().min(1).max(8000).nullish(),
    feedbackPromptFrequency: z.enum(FEEDBACK_PROMPT_FREQUENCIES).nullish(),
    feedbackPromptEvery: z.number().int().min(1).max(100).nullish(),
    handoffTarget: z.string().trim().min(1).max(200).nullish(),
    routing: z
      .object({
        cheapThreshold: routing.cheapThreshold.nullish(),
        reasoningThreshold: routing.reasoningThreshold.nullish(),
        longContextTokens: routing.longContextTokens.nullish(),
        cheapModel: routing.model.nullish(),
        balancedModel: routing.model.nullish(),
        longContextModel: routing.model.nullish(),
        reasoningModel: routing.model.nullish(),
        fallbackOrder: routing.fallbackOrder.nullish(),
      })
      .nullish(),
  });
}

/** Settings as stored, plus which secrets are set (names only). */
export interface TenantSettingsView {
  tenantId: string;
  tenantName: string;
  settings: TenantSettings;
  secretsSet: string[];
  updatedAt: Date;
}

export async function getTenantSettings(
  em: EntityManager,
  box: SecretBox,
  tenantId: string,
): Promise<TenantSettingsView> {
  const tenant = await em.findOne(Tenant, { id: tenantId });
  if (!tenant) throw notFound('Tenant', tenantId);
  const secrets = await readTenantSecrets(em, box, tenantId);
  return {
    tenantId,
    tenantName: tenant.name,
    settings: tenant.settings,
    secretsSet: Object.keys(secrets).sort(),
    updatedAt: tenant.updatedAt,
  };
}

/**
 * Validates and merges `change` into the tenant's settings, with an audit row
 * (before/after of the settings). BAD_USER_INPUT names the first invalid field;
 * nothing is written then.
 */
export async function updateTenantSettings(
  em: EntityManager,
  box: SecretBox,
  input: { tenantId: string; actor: Actor; change: TenantSettingsChange; catalogue?: ModelCatalogue },
): Promise<TenantSettingsView> {
  const current = await em.findOne(Tenant, { id: input.tenantId });
  if (!current) throw notFound('Tenant', input.tenantId);
  // Models the tenant added to its own catalogue (settings.routing.catalogue) are valid choices too.
  const catalogue = mergeCatalogue(input.catalogue ?? defaultCatalogue, current.settings.routing?.catalogue).catalogue;
  const parsed = changeSchema(catalogue).safeParse(input.change);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw badInput(`${field}: ${issue.message}`, { field });
  }
  const change = parsed.data;
  await withLockedTenant(em, input.tenantId, (tx, tenant) => {
    const before = structuredClone(tenant.settings);
    const next: TenantSettings = structuredClone(tenant.settings);
    assign(next, 'systemPrompt', change.systemPrompt);
    assign(next, 'feedbackPromptFrequency', change.feedbackPromptFrequency);
    assign(next, 'feedbackPromptEvery', change.feedbackPromptEvery);
    assign(next, 'handoffTarget', change.handoffTarget);
    if (change.routing === null) delete next.routing;
    else if (change.routing) {
      const routing = { ...(next.routing ?? {}) };
      const models = { ...(routing.models ?? {}) };
      assign(routing, 'cheapThreshold', change.routing.cheapThreshold);
      assign(routing, 'reasoningThreshold', change.routing.reasoningThreshold);
      assign(routing, 'longContextTokens', change.routing.longContextTokens);
      assign(routing, 'fallbackOrder', change.routing.fallbackOrder);
      assign(models, 'cheap', change.routing.cheapModel);
      assign(models, 'balanced', change.routing.balancedModel);
      assign(models, 'long-context', change.routing.longContextModel);
      assign(models, 'reasoning', change.routing.reasoningModel);
      routing.models = models;
      // The merged result must be what the router reads without a problem (cross-field rules included),
      // against the catalogue as it is now (a fine-tuning job may have added a model since the check above).
      const problem = firstRoutingProblem(
        routing,
        mergeCatalogue(input.catalogue ?? defaultCatalogue, routing.catalogue).catalogue,
      );
      if (problem) throw badInput(`${problem.field}: ${problem.message}`, { field: problem.field });
      next.routing = routing;
    }
    tenant.settings = next;
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'tenant.settings.update',
      targetType: 'Tenant',
      targetId: input.tenantId,
      before,
      after: next,
    });
  });
  return getTenantSettings(em.fork(), box, input.tenantId);
}

/**
 * Sets (or, with null/empty, clears) tenant secrets such as provider API keys.
 * The audit row records which names changed, never values. Returns the names set.
 */
export async function updateTenantSecrets(
  em: EntityManager,
  box: SecretBox,
  input: { tenantId: string; actor: Actor; secrets: Partial<Record<SettableSecret, string | null>> },
): Promise<string[]> {
  const changes: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(input.secrets)) {
    if (value === undefined) continue;
    if (!(SETTABLE_SECRETS as readonly string[]).includes(name))
      throw badInput(`Unknown secret ${name}: use ${SETTABLE_SECRETS.join(', ')}`);
    if (value !== null && (value.length > 500 || /\s/.test(value.trim())))
      throw badInput(`${name} does not look like a key (no spaces, at most 500 characters)`, { field: name });
    changes[name] = value === null ? null : value.trim();
  }
  if (!Object.keys(changes).length) throw badInput('Pass at least one secret to set or clear');
  // On the locked row: the secrets are one encrypted column, so two changes at once must not read the same old map.
  return withLockedTenant(em, input.tenantId, async (tx) => {
    const before = Object.keys(await readTenantSecrets(tx, box, input.tenantId)).sort();
    const after = await setTenantSecrets(tx, box, input.tenantId, changes);
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'tenant.secrets.update',
      targetType: 'Tenant',
      targetId: input.tenantId,
      before: { secretsSet: before },
      after: { secretsSet: after, changed: Object.keys(changes).sort() },
    });
    return after;
  });
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null | undefined): void {
  if (value === undefined) return;
  if (value === null) delete target[key];
  else target[key] = value;
}
