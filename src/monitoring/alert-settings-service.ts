import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../audit/audit-service';
import { Tenant } from '../db/entities';
import { badInput, notFound } from '../errors';
import { withLockedTenant } from '../tenants/locked-tenant';
import { ALERT_RULES } from './alert-rules';
import {
  DEFAULT_ROUTES,
  DEFAULT_THRESHOLDS,
  readAlertSettings,
  routeFor,
  tenantAlertSettingsSchema,
  thresholdsFor,
  type RoutableNotifier,
  type RuleThresholds,
} from './alert-settings';
import type { AlertSeverity } from './alert-types';

export const THRESHOLD_NAMES = Object.keys(DEFAULT_THRESHOLDS) as (keyof RuleThresholds)[];
const SEVERITIES: AlertSeverity[] = ['critical', 'warning', 'info'];

/** `tenant.settings.alerts` as the control plane shows it: effective values next to their defaults. */
export interface AlertSettingsView {
  tenantId: string;
  thresholds: { name: keyof RuleThresholds; value: number; defaultValue: number; custom: boolean }[];
  routes: { severity: AlertSeverity; notifiers: RoutableNotifier[]; defaults: RoutableNotifier[]; custom: boolean }[];
  emailTo: string[] | null;
  pagerDutyRoutingKeySet: boolean;
  monthlyBudgetUsd: number | null;
  disabledRules: string[];
  /** Set when the stored settings do not parse: the rules run on the defaults until they are fixed. */
  problem: string | null;
  updatedAt: Date;
}

/**
 * A change: absent fields stay, `null` resets to the default (or clears).
 * Validated with the same zod schema the rules and notifiers read with.
 */
export interface AlertSettingsChange {
  thresholds?: Partial<Record<keyof RuleThresholds, number | null>> | null;
  routes?: Partial<Record<AlertSeverity, RoutableNotifier[] | null>> | null;
  emailTo?: string[] | null;
  monthlyBudgetUsd?: number | null;
  disabledRules?: string[] | null;
}

export function toAlertSettingsView(tenant: Tenant): AlertSettingsView {
  const { settings, error } = readAlertSettings(tenant.settings);
  const effective = thresholdsFor(settings);
  return {
    tenantId: tenant.id,
    thresholds: THRESHOLD_NAMES.map((name) => ({
      name,
      value: effective[name],
      defaultValue: DEFAULT_THRESHOLDS[name],
      custom: settings.rules?.[name] !== undefined,
    })),
    routes: SEVERITIES.map((severity) => ({
      severity,
      notifiers: routeFor(settings, severity),
      defaults: DEFAULT_ROUTES[severity],
      custom: settings.routes?.[severity] !== undefined,
    })),
    emailTo: settings.email?.to ?? null,
    pagerDutyRoutingKeySet: Boolean(settings.pagerduty?.routingKey),
    monthlyBudgetUsd: settings.monthlyBudgetUsd ?? null,
    disabledRules: settings.disabledRules ?? [],
    problem: error,
    updatedAt: tenant.updatedAt,
  };
}

export async function getAlertSettings(em: EntityManager, tenantId: string): Promise<AlertSettingsView> {
  const tenant = await em.findOne(Tenant, { id: tenantId });
  if (!tenant) throw notFound('Tenant', tenantId);
  return toAlertSettingsView(tenant);
}

type Json = Record<string, unknown>;

/** Sets `key` of `target` to `value`, deletes it for null, leaves it for undefined. */
function assign(target: Json, key: string, value: unknown): void {
  if (value === null) delete target[key];
  else if (value !== undefined) target[key] = value;
}

/** The input field a zod issue path of `settings.alerts` belongs to (`email.to.0` → `emailTo`). */
export function fieldOf(path: readonly PropertyKey[]): string {
  const [head, second] = path.map(String);
  if (head === 'rules') return second ? `thresholds.${second}` : 'thresholds';
  if (head === 'routes') return second ? `routes.${second}` : 'routes';
  if (head === 'email') return 'emailTo';
  return head ?? 'input';
}

/**
 * Merges `change` into `settings.alerts`, validates the result with the
 * settings schema and writes it with an audit row. A refused value is a
 * BAD_USER_INPUT naming every field at fault (`thresholds.latencyP95Ms: …`)
 * and nothing is written.
 */
export async function updateAlertSettings(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; change: AlertSettingsChange },
): Promise<AlertSettingsView> {
  const { change } = input;
  const unknownRule = (change.disabledRules ?? []).find((rule) => !(ALERT_RULES as readonly string[]).includes(rule));
  if (unknownRule !== undefined)
    throw badInput(
      `disabledRules: ${JSON.stringify(unknownRule)} is not a rule; the rules are ${ALERT_RULES.join(', ')}`,
      {
        field: 'disabledRules',
      },
    );
  // On the locked, re-read row: two saves at once (two operators, two instances) apply one after the other, none lost.
  return withLockedTenant(em, input.tenantId, async (tx, tenant) => {
    const before = structuredClone(tenant.settings.alerts ?? {}) as Json;
    const next = structuredClone(before);
    if (change.thresholds === null) delete next.rules;
    else if (change.thresholds) {
      const rules = { ...((next.rules as Json | undefined) ?? {}) };
      for (const [name, value] of Object.entries(change.thresholds)) assign(rules, name, value);
      next.rules = rules;
    }
    if (change.routes === null) delete next.routes;
    else if (change.routes) {
      const routes = { ...((next.routes as Json | undefined) ?? {}) };
      for (const [severity, value] of Object.entries(change.routes)) assign(routes, severity, value);
      next.routes = routes;
    }
    if (change.emailTo === null) delete next.email;
    else if (change.emailTo !== undefined) next.email = { to: change.emailTo.map((address) => address.trim()) };
    assign(next, 'monthlyBudgetUsd', change.monthlyBudgetUsd);
    assign(next, 'disabledRules', change.disabledRules);
    for (const key of ['rules', 'routes']) if (next[key] && !Object.keys(next[key] as Json).length) delete next[key];

    const parsed = tenantAlertSettingsSchema.safeParse(next);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message }));
      throw badInput(fields.map((problem) => `${problem.field}: ${problem.message}`).join('; '), {
        field: fields[0]!.field,
        fields,
      });
    }
    const settings = { ...tenant.settings };
    if (Object.keys(parsed.data).length) settings.alerts = parsed.data;
    else delete settings.alerts;
    tenant.settings = settings;
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'tenant.alerts.update',
      targetType: 'Tenant',
      targetId: input.tenantId,
      before,
      after: parsed.data,
    });
    await tx.flush();
    return toAlertSettingsView(tenant);
  });
}

/** What each threshold means, for the API and the console. */
export const THRESHOLD_DESCRIPTIONS: Record<keyof RuleThresholds, string> = {
  windowMinutes: 'Window every rule looks at, in minutes (1–1440).',
  minSamples: 'Replies, provider calls or conversations a window needs before a rule may fire (≥ 1).',
  qualityDropRatio: 'Quality: fire when the mean reply score is this fraction below its baseline (0–10; 0.1 = 10 %).',
  qualityBaselineHours: 'Quality: the trailing baseline, in hours before the window (1–2160).',
  costOverPaceRatio: "Cost: fire when spend is this fraction over the monthly budget's pace (0–10; 0.2 = 20 %).",
  latencyP95Ms: 'Latency: fire when the p95 reply time is above this many milliseconds (> 0).',
  providerFailureRate: 'Provider failure: fire when this share of a provider’s calls failed (0–1).',
  handoffRate: 'Handoff spike: fire when this share of active conversations was handed off (0–1).',
};
