import type { EntityManager } from '@mikro-orm/postgresql';
import type { RuleThresholds, TenantAlertSettings } from './alert-settings';
import { thresholdsFor } from './alert-settings';
import type { AlertSeverity } from './alert-types';

/** The five rules; each name is also its runbook's file name (docs/runbooks/<name>.md). */
export const ALERT_RULES = [
  'quality-degradation',
  'cost-spike',
  'latency-p95',
  'provider-failure',
  'handoff-spike',
] as const;
export type AlertRuleName = (typeof ALERT_RULES)[number];

/**
 * One rule's verdict for one tenant. `firing`: raise the alert; `clear`: enough
 * samples and within the threshold, resolve it; `idle`: no samples at all in
 * the window (traffic stopped), resolve it too; `insufficient`: some samples but
 * fewer than the minimum, leave any alert as it is rather than flap.
 */
export interface RuleVerdict {
  rule: AlertRuleName;
  /** Alert key: the rule, and for provider failure the provider (`provider-failure:openai`). */
  key: string;
  state: 'firing' | 'clear' | 'idle' | 'insufficient';
  severity: AlertSeverity;
  title: string;
  description: string;
  metric: string;
  value: number | null;
  threshold: number;
  samples: number;
  query: string;
}

export interface RuleWindow {
  /** End of the window (exclusive): now. */
  to: Date;
  settings: TenantAlertSettings;
}

type Row = Record<string, string | number | null>;
const numberOf = (value: string | number | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

function verdict(base: Omit<RuleVerdict, 'state'>, minSamples: number, breached: boolean): RuleVerdict {
  const state =
    base.samples === 0 ? 'idle' : base.samples < minSamples ? 'insufficient' : breached ? 'firing' : 'clear';
  return { ...base, state };
}

const percent = (value: number) => `${(value * 100).toFixed(1).replace(/\.0$/, '')} %`;

/** Minutes in the UTC month that contains `at`: the cost rule spreads the monthly budget evenly over them. */
export function minutesInMonth(at: Date): number {
  const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  const end = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  return (end - start) / 60_000;
}

/**
 * Evaluates the five rules for one tenant over the sliding window ending at
 * `to` (four queries, each on a `(tenant_id, created_at)` index):
 * - quality degradation: mean reply score (👍 = 1, 👎 = 0, else the implicit
 *   satisfaction in [0, 1]) in the window against the same mean over the
 *   trailing baseline before it; fires when it is more than `qualityDropRatio`
 *   below (both sides need `minSamples` scored replies);
 * - cost spike: spend (interaction cost, failed attempts included) in the
 *   window against the monthly budget's pace, budget × window / minutes in the
 *   month; fires above pace × (1 + `costOverPaceRatio`); needs a budget;
 * - latency: p95 of reply latency above `latencyP95Ms`;
 * - provider failure, per provider: failed calls / calls above `providerFailureRate`;
 * - handoff spike: conversations handed off in the window / conversations
 *   active in it (a reply or a handoff) above `handoffRate`.
 */
export async function evaluateRules(em: EntityManager, tenantId: string, window: RuleWindow): Promise<RuleVerdict[]> {
  const limits: RuleThresholds = thresholdsFor(window.settings);
  const to = window.to;
  const from = new Date(to.getTime() - limits.windowMinutes * 60_000);
  const baselineFrom = new Date(from.getTime() - limits.qualityBaselineHours * 3_600_000);
  const disabled = new Set(window.settings.disabledRules ?? []);
  const minutes = limits.windowMinutes;
  const verdicts: RuleVerdict[] = [];
  // The GraphQL queries behind each alert, over the same window (linked from every notification).
  const range = `range: { from: "${from.toISOString()}", to: "${to.toISOString()}" }`;

  const [replies] = await em.execute<Row[]>(
    `select count(*)::int as samples,
            percentile_cont(0.95) within group (order by latency_ms) as p95,
            coalesce(sum(cost_usd), 0) as cost
       from agent_interaction where tenant_id = ? and created_at >= ? and created_at < ?`,
    [tenantId, from, to],
  );
  const samples = Number(replies?.samples ?? 0);

  if (!disabled.has('latency-p95')) {
    const p95 = numberOf(replies?.p95);
    verdicts.push(
      verdict(
        {
          rule: 'latency-p95',
          key: 'latency-p95',
          severity: 'warning',
          title: `Reply latency p95 above ${limits.latencyP95Ms / 1000} s`,
          description: `p95 of ${samples} replies in the last ${minutes} min is ${p95 === null ? '–' : `${(p95 / 1000).toFixed(2)} s`}.`,
          metric: 'reply_latency_p95_ms',
          value: p95,
          threshold: limits.latencyP95Ms,
          samples,
          query: '{ providerHealth { provider model calls averageLatencyMs failureRate circuit } }',
        },
        limits.minSamples,
        p95 !== null && p95 > limits.latencyP95Ms,
      ),
    );
  }

  if (!disabled.has('cost-spike') && window.settings.monthlyBudgetUsd) {
    const spend = Number(replies?.cost ?? 0);
    const pace = (window.settings.monthlyBudgetUsd * minutes) / minutesInMonth(to);
    const threshold = pace * (1 + limits.costOverPaceRatio);
    verdicts.push(
      verdict(
        {
          rule: 'cost-spike',
          key: 'cost-spike',
          severity: 'warning',
          title: `LLM spend more than ${percent(limits.costOverPaceRatio)} over budget pace`,
          description: `$${spend.toFixed(4)} in the last ${minutes} min; a monthly budget of $${window.settings.monthlyBudgetUsd} paces $${pace.toFixed(4)} per ${minutes} min.`,
          metric: 'llm_spend_usd_per_window',
          value: spend,
          threshold,
          samples,
          query: `{ costAnalytics(${range}) { byModel { provider model calls failedCalls costUsd } } }`,
        },
        limits.minSamples,
        spend > threshold,
      ),
    );
  }

  if (!disabled.has('provider-failure')) {
    const providers = await em.execute<Row[]>(
      `select provider, count(*)::int as calls, count(*) filter (where not success)::int as failures
         from provider_usage where tenant_id = ? and created_at >= ? and created_at < ? group by provider order by provider`,
      [tenantId, from, to],
    );
    for (const row of providers) {
      const calls = Number(row.calls);
      const rate = calls ? Number(row.failures) / calls : 0;
      verdicts.push(
        verdict(
          {
            rule: 'provider-failure',
            key: `provider-failure:${row.provider}`,
            severity: 'critical',
            title: `${row.provider} failing: ${percent(rate)} of calls`,
            description: `${row.failures} of ${calls} ${row.provider} calls failed in the last ${minutes} min (threshold ${percent(limits.providerFailureRate)}).`,
            metric: 'provider_failure_rate',
            value: rate,
            threshold: limits.providerFailureRate,
            samples: calls,
            query: '{ providerHealth { provider model calls failures failureRate circuit lastErrorCode } }',
          },
          limits.minSamples,
          rate > limits.providerFailureRate,
        ),
      );
    }
  }

  if (!disabled.has('handoff-spike')) {
    const [handoffs] = await em.execute<Row[]>(
      `with active as (
         select conversation_id as id from agent_interaction where tenant_id = ? and created_at >= ? and created_at < ?
         union
         select id from conversation where tenant_id = ? and handed_off_at >= ? and handed_off_at < ?)
       select count(*)::int as conversations,
              count(*) filter (where c.handed_off_at >= ? and c.handed_off_at < ?)::int as handed_off
         from active join conversation c on c.id = active.id`,
      [tenantId, from, to, tenantId, from, to, from, to],
    );
    const conversations = Number(handoffs?.conversations ?? 0);
    const rate = conversations ? Number(handoffs?.handed_off ?? 0) / conversations : 0;
    verdicts.push(
      verdict(
        {
          rule: 'handoff-spike',
          key: 'handoff-spike',
          severity: 'warning',
          title: `Handoffs to humans at ${percent(rate)} of conversations`,
          description: `${handoffs?.handed_off ?? 0} of ${conversations} conversations active in the last ${minutes} min were handed off (threshold ${percent(limits.handoffRate)}).`,
          metric: 'handoff_rate',
          value: rate,
          threshold: limits.handoffRate,
          samples: conversations,
          query: `{ conversations(first: 20, filter: { status: HANDED_OFF, from: "${from.toISOString()}", to: "${to.toISOString()}" }) { totalCount nodes { id channel customerName } } }`,
        },
        limits.minSamples,
        rate > limits.handoffRate,
      ),
    );
  }

  if (!disabled.has('quality-degradation')) {
    const [quality] = await em.execute<Row[]>(
      `select count(*) filter (where created_at >= ?)::int as samples,
              avg(score) filter (where created_at >= ?) as current,
              count(*) filter (where created_at < ?)::int as baseline_samples,
              avg(score) filter (where created_at < ?) as baseline
         from (select i.created_at,
                      coalesce(case when f.helpful then 1.0 when not f.helpful then 0.0 end, f.implicit_satisfaction) as score
                 from agent_interaction i join interaction_feedback f on f.interaction_id = i.id
                where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?) scored
        where score is not null`,
      [from, from, from, from, tenantId, baselineFrom, to],
    );
    const current = numberOf(quality?.current);
    const baseline = numberOf(quality?.baseline);
    const baselineSamples = Number(quality?.baseline_samples ?? 0);
    const threshold = baseline === null ? 0 : baseline * (1 - limits.qualityDropRatio);
    const qualitySamples = Number(quality?.samples ?? 0);
    verdicts.push(
      verdict(
        {
          rule: 'quality-degradation',
          key: 'quality-degradation',
          severity: 'warning',
          title: `Reply quality more than ${percent(limits.qualityDropRatio)} below its baseline`,
          description:
            `Mean reply score ${current === null ? '–' : current.toFixed(3)} over ${qualitySamples} scored replies in the last ${minutes} min; ` +
            `baseline ${baseline === null ? '–' : baseline.toFixed(3)} over ${baselineSamples} replies in the ${limits.qualityBaselineHours} h before.`,
          metric: 'reply_quality_score',
          value: current,
          threshold,
          // Without a baseline of its own minimum size there is nothing to compare with.
          samples:
            baselineSamples >= limits.minSamples ? qualitySamples : Math.min(qualitySamples, limits.minSamples - 1),
          query: `{ feedbackAnalytics(${range}, groupBy: DAY) { totals { botReplies averageImplicitSatisfaction feedbackCollectionRate } } }`,
        },
        limits.minSamples,
        current !== null && baseline !== null && current < threshold,
      ),
    );
  }
  return verdicts;
}
