import { z } from 'zod';
import type { AlertSeverity } from './alert-types';

/** The notifier ids a tenant can route to. `log` always receives everything and is not routable. */
export const ROUTABLE_NOTIFIERS = ['slack', 'email', 'pagerduty'] as const;
export type RoutableNotifier = (typeof ROUTABLE_NOTIFIERS)[number];

const notifierList = z.array(z.enum(ROUTABLE_NOTIFIERS));
const fraction = z.number().min(0).max(10);

/** Thresholds of the five alert rules; every field is optional and falls back to the defaults below. */
export const ruleThresholdsSchema = z
  .object({
    /** Window the rules look at, in minutes. */
    windowMinutes: z.number().int().min(1).max(1440).optional(),
    /** Replies (or provider calls, conversations) a window needs before a rule may fire. */
    minSamples: z.number().int().min(1).optional(),
    /** Quality degradation: fire when the window's positive-feedback rate is this fraction below its trailing baseline. */
    qualityDropRatio: fraction.optional(),
    /** Trailing baseline of the quality rule, in hours before the window. */
    qualityBaselineHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .optional(),
    /** Cost spike: fire when spend in the window is this fraction over the budget's pace. */
    costOverPaceRatio: fraction.optional(),
    /** Latency: fire when the window's p95 reply time is above this many milliseconds. */
    latencyP95Ms: z.number().positive().optional(),
    /** Provider failure: fire when the share of failed provider calls is above this. */
    providerFailureRate: z.number().min(0).max(1).optional(),
    /** Handoff spike: fire when the share of conversations handed off is above this. */
    handoffRate: z.number().min(0).max(1).optional(),
  })
  .strict();

/** `tenant.settings.alerts`: where a tenant's alerts go and when its rules fire. */
export const tenantAlertSettingsSchema = z
  .object({
    /** Per severity, the notifiers that receive it (the service log always does). */
    routes: z
      .object({ critical: notifierList.optional(), warning: notifierList.optional(), info: notifierList.optional() })
      .strict()
      .optional(),
    email: z
      .object({ to: z.array(z.string().email()).min(1) })
      .strict()
      .optional(),
    pagerduty: z
      .object({ routingKey: z.string().min(1) })
      .strict()
      .optional(),
    /** Monthly LLM budget in USD: the cost-spike rule compares spend with its pace. No budget, no cost rule. */
    monthlyBudgetUsd: z.number().positive().optional(),
    rules: ruleThresholdsSchema.optional(),
    /** Rules switched off for this tenant. */
    disabledRules: z.array(z.string()).optional(),
  })
  .strict();

export type TenantAlertSettings = z.infer<typeof tenantAlertSettingsSchema>;
export type RuleThresholds = Required<z.infer<typeof ruleThresholdsSchema>>;

/** Critical pages on-call and tells the team; warnings go to the team's channel; info is for the email digest. */
export const DEFAULT_ROUTES: Record<AlertSeverity, RoutableNotifier[]> = {
  critical: ['pagerduty', 'slack', 'email'],
  warning: ['slack', 'email'],
  info: ['email'],
};

export const DEFAULT_THRESHOLDS: RuleThresholds = {
  windowMinutes: 15,
  minSamples: 20,
  qualityDropRatio: 0.1,
  qualityBaselineHours: 24 * 7,
  costOverPaceRatio: 0.2,
  latencyP95Ms: 5_000,
  providerFailureRate: 0.05,
  handoffRate: 0.25,
};

/**
 * Reads `settings.alerts`. Invalid settings never silence alerts: the parse
 * error is reported and the defaults apply (the GraphQL mutation that writes
 * settings validates with the same schema).
 */
export function readAlertSettings(settings: Record<string, unknown> | null | undefined): {
  settings: TenantAlertSettings;
  error: string | null;
} {
  const raw = settings?.alerts;
  if (raw === undefined || raw === null) return { settings: {}, error: null };
  const parsed = tenantAlertSettingsSchema.safeParse(raw);
  if (parsed.success) return { settings: parsed.data, error: null };
  return {
    settings: {},
    error: parsed.error.issues.map((issue) => `alerts.${issue.path.join('.')}: ${issue.message}`).join('; '),
  };
}

export function routeFor(settings: TenantAlertSettings, severity: AlertSeverity): RoutableNotifier[] {
  return settings.routes?.[severity] ?? DEFAULT_ROUTES[severity];
}

export function thresholdsFor(settings: TenantAlertSettings): RuleThresholds {
  return { ...DEFAULT_THRESHOLDS, ...settings.rules };
}
