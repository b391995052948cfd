import type { EntityManager } from '@mikro-orm/postgresql';
import nodemailer from 'nodemailer';
import { businessMetrics, businessValuesFrom, type BusinessFigures } from '../analytics/business-metrics';
import { learningAnalytics, type LearningFigures } from '../analytics/learning-analytics';
import { qualityMetrics, targetsFrom, type QualityMetrics } from '../analytics/quality-metrics';
import type { Logger } from '../logger';
import { readAlertSettings, routeFor } from './alert-settings';

/** Sends one plain-text email; the digest job gets one built from ALERT_SMTP_URL. */
export interface DigestMailer {
  send(message: { to: string[]; subject: string; text: string }): Promise<void>;
  close(): void;
}

export function createDigestMailer(options: { smtpUrl: string; from: string; timeoutMs?: number }): DigestMailer {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 3,
  });
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, ...message });
    },
    close: () => transport.close(),
  };
}

/** A comma-separated address list (ALERT_EMAIL_TO) as an array. */
export function emailList(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
}

export type DigestPeriod = 'day' | 'week';

/** The period a digest covers: the UTC day (or Monday-to-Monday week) that ended at the start of `now`'s day. */
export function digestRange(period: DigestPeriod, now: Date): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: new Date(to.getTime() - (period === 'day' ? 1 : 7) * 86_400_000), to };
}

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)} %`);
const change = (value: number | null, unit: 'pp' | 'ms' | 'usd' | 'points') => {
  if (value === null) return '';
  const sign = value >= 0 ? '+' : '−';
  const magnitude = Math.abs(value);
  if (unit === 'pp') return ` (${sign}${(magnitude * 100).toFixed(1)} pp)`;
  if (unit === 'ms') return ` (${sign}${magnitude.toFixed(0)} ms)`;
  if (unit === 'usd') return ` (${sign}$${magnitude.toFixed(4)})`;
  return ` (${sign}${magnitude.toFixed(2)})`;
};
const usd = (value: number | null) => (value === null ? '—' : `$${value.toFixed(value < 1 ? 4 : 2)}`);

/** The digest's text: quality with its change against the previous period, business, and the feedback loop. */
export function digestText(
  tenantName: string,
  period: DigestPeriod,
  range: { from: Date; to: Date },
  quality: QualityMetrics,
  business: BusinessFigures,
  learning: LearningFigures,
): string {
  const q = quality.totals;
  const t = quality.trend;
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return [
    `${period === 'day' ? 'Daily' : 'Weekly'} metrics of ${tenantName}, ${day(range.from)} to ${day(range.to)} (UTC, end excluded).`,
    `Change against the previous ${period} in brackets. Definitions: docs/metrics.md.`,
    '',
    'Quality',
    `  Conversations: ${q.conversations}, bot replies: ${q.botReplies}`,
    `  Resolution rate: ${percent(q.resolutionRate)}${change(t.resolutionRate, 'pp')}`,
    `  Handoff rate: ${percent(q.handoffRate)}${change(t.handoffRate, 'pp')} (target < ${percent(quality.targets.handoffRate)})`,
    `  Positive feedback: ${percent(q.positiveFeedbackRate)}${change(t.positiveFeedbackRate, 'pp')} (target > ${percent(quality.targets.positiveFeedbackRate)})`,
    `  Quality score: ${q.qualityScore === null ? '—' : q.qualityScore.toFixed(2)}${change(t.qualityScore, 'points')} of 5`,
    `  p95 response time: ${q.p95ResponseMs === null ? '—' : `${q.p95ResponseMs.toFixed(0)} ms`}${change(t.p95ResponseMs, 'ms')}`,
    '',
    'Business',
    `  CSAT: ${percent(business.csat)} of ${business.ratedConversations} rated conversations; survey average ${business.surveyAverageScore === null ? '—' : business.surveyAverageScore.toFixed(2)}`,
    `  Conversion rate: ${percent(business.conversionRate)} (${business.conversions} completed actions)`,
    `  LLM cost: ${usd(business.costUsd)}; per conversation ${usd(business.costPerConversation)}${change(t.costPerConversation, 'usd')}; per resolution ${usd(business.costPerResolution)}`,
    `  Net benefit: ${usd(business.netBenefitUsd)}; ROI ${business.roi === null ? '—' : `${(business.roi * 100).toFixed(0)} %`}`,
    '',
    'Feedback loop',
    `  Feedback collection rate: ${percent(learning.feedbackCollectionRate)} (target > 30 %)`,
    `  Corrections written ${learning.correctionsWritten}, approved ${learning.correctionsApproved}, rejected ${learning.correctionsRejected}`,
    `  Median time to approval: ${learning.medianHoursToApproval === null ? '—' : `${learning.medianHoursToApproval.toFixed(1)} h`}`,
    '',
  ].join('\n');
}

export interface DigestResult {
  period: DigestPeriod;
  sent: { tenantId: string; to: string[] }[];
  failed: { tenantId: string; error: string }[];
}

/**
 * Emails each enabled tenant whose `info` alerts route to email (the default
 * routing: "digest → email") the digest of `period`, to its
 * `settings.alerts.email.to` or else ALERT_EMAIL_TO. A failure for one tenant
 * is logged and does not stop the others.
 */
export async function sendMetricsDigests(
  em: EntityManager,
  options: { mailer: DigestMailer; period: DigestPeriod; now: Date; defaultTo: string[]; logger?: Logger },
): Promise<DigestResult> {
  const range = digestRange(options.period, options.now);
  const result: DigestResult = { period: options.period, sent: [], failed: [] };
  const tenants = await em
    .getConnection()
    .execute<Array<{ id: string; name: string; settings: Record<string, unknown> }>>(
      'select id, name, settings from tenant where disabled_at is null order by name',
    );
  for (const tenant of tenants) {
    const { settings } = readAlertSettings(tenant.settings);
    if (!routeFor(settings, 'info').includes('email')) continue;
    const to = settings.email?.to ?? options.defaultTo;
    if (!to.length) continue;
    try {
      const [quality, business, learning] = await Promise.all([
        qualityMetrics(em.fork(), {
          tenantId: tenant.id,
          range,
          groupBy: options.period,
          targets: targetsFrom(tenant.settings),
        }),
        businessMetrics(em.fork(), { tenantId: tenant.id, range, values: businessValuesFrom(tenant.settings) }),
        learningAnalytics(em.fork(), { tenantId: tenant.id, range, articleLimit: 1, gapLimit: 1 }),
      ]);
      if (quality.totals.conversations === 0 && quality.previous.conversations === 0) continue;
      await options.mailer.send({
        to,
        subject: `[parley] ${options.period === 'day' ? 'Daily' : 'Weekly'} metrics: ${tenant.name}, ${range.from.toISOString().slice(0, 10)}`,
        text: digestText(tenant.name, options.period, range, quality, business.totals, learning.totals),
      });
      result.sent.push({ tenantId: tenant.id, to });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.logger?.error({ err: error, tenantId: tenant.id }, 'metrics digest not sent');
      result.failed.push({ tenantId: tenant.id, error: message });
    }
  }
  return result;
}
