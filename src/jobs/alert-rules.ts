import { Tenant } from '../db/entities';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { evaluateRules, type RuleVerdict } from '../monitoring/alert-rules';
import type { AlertService } from '../monitoring/alert-service';
import { readAlertSettings } from '../monitoring/alert-settings';
import type { RaiseOutcome } from '../monitoring/alert-types';

export interface AlertRulesOptions {
  alerts: AlertService;
  logger: Logger;
  now: Date;
  /** Where runbooks are served: `<base><rule>` (ALERT_RUNBOOK_BASE_URL, default `<PUBLIC_BASE_URL>/runbooks/`). */
  runbookBaseUrl: string;
}

export interface AlertRulesResult {
  tenants: number;
  /** Raise outcomes by kind (notified, deduplicated, repeated, …). */
  raised: Partial<Record<RaiseOutcome, number>>;
  resolved: number;
  /** Tenants whose evaluation failed (logged); the others were still evaluated. */
  failed: number;
}

/**
 * The every-minute job: evaluates the five rules for each tenant and turns
 * verdicts into alert-service calls. A firing verdict raises its key (the
 * service deduplicates, repeats, retries failed notifiers); a clear or idle
 * verdict resolves a firing alert of that key; an `insufficient` verdict leaves
 * it alone. Provider-failure alerts of providers without calls in the window
 * resolve too.
 */
export async function evaluateAlertRules(orm: Orm, options: AlertRulesOptions): Promise<AlertRulesResult> {
  const tenants = await orm.em
    .fork()
    .find(Tenant, {}, { fields: ['id', 'name', 'settings'], orderBy: { createdAt: 'asc' } });
  const result: AlertRulesResult = { tenants: tenants.length, raised: {}, resolved: 0, failed: 0 };
  for (const tenant of tenants) {
    try {
      const { settings, error } = readAlertSettings(tenant.settings);
      if (error)
        options.logger.warn({ tenantId: tenant.id, error }, 'invalid alert settings: evaluating with the defaults');
      const verdicts = await evaluateRules(orm.em.fork(), tenant.id, { to: options.now, settings });
      const firing = new Set((await options.alerts.firing(tenant.id)).map((alert) => alert.key));
      const seen = new Set<string>();
      for (const verdict of verdicts) {
        seen.add(verdict.key);
        if (verdict.state === 'firing') {
          const { outcome } = await options.alerts.raise(toAlert(tenant.id, verdict, options.runbookBaseUrl));
          result.raised[outcome] = (result.raised[outcome] ?? 0) + 1;
        } else if ((verdict.state === 'clear' || verdict.state === 'idle') && firing.has(verdict.key)) {
          if (await options.alerts.resolve(tenant.id, verdict.key)) result.resolved += 1;
        }
      }
      for (const key of firing) {
        if (key.startsWith('provider-failure:') && !seen.has(key) && (await options.alerts.resolve(tenant.id, key)))
          result.resolved += 1;
      }
    } catch (error) {
      result.failed += 1;
      options.logger.error({ err: error, tenantId: tenant.id }, 'alert rules failed for a tenant');
    }
  }
  return result;
}

function toAlert(tenantId: string, verdict: RuleVerdict, runbookBaseUrl: string) {
  return {
    tenantId,
    key: verdict.key,
    title: verdict.title,
    severity: verdict.severity,
    description: verdict.description,
    metric: verdict.metric,
    value: verdict.value,
    threshold: verdict.threshold,
    query: verdict.query,
    runbookUrl: `${runbookBaseUrl}${verdict.rule}`,
  };
}
