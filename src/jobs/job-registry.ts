import type { Counter, Histogram, Registry } from 'prom-client';
import { counterOn, histogramOn } from '../metrics';
import type { Orm } from '../db/orm';
import type { CustomerChannelRegistry } from '../engine/outbound';
import type { DomainEvents } from '../events';
import { releaseIdleConversations } from '../handoffs/idle-release';
import { badInput } from '../errors';
import type { Logger } from '../logger';
import type { ProviderHealthSnapshot } from '../providers/health';
import type { AlertService } from '../monitoring/alert-service';
import { evaluateAlertRules } from './alert-rules';
import { previousUtcDay, summariseProviderDay } from './daily-provider-summary';
import { withJobLock, type Locked } from './job-lock';
import { measureProviderHealth, ProviderHealthGauges } from './provider-health-metrics';
import { cleanUpUsage } from './usage-cleanup';
import { askDueSurveys } from '../business/csat-survey';
import { sendMetricsDigests, type DigestMailer, type DigestPeriod } from '../monitoring/metrics-digest';
import { guardRunningExperiments, type AlertRaiser } from '../learning/experiments/experiment-guard-job';
import { stepRollouts } from '../learning/experiments/rollout-service';
import { MODEL_VERSION_GUARD_RUNBOOK } from '../monitoring/runbooks';
import { pollFineTuningJobs } from '../learning/fine-tuning/fine-tuning-poll';
import { runScheduledRetraining } from '../learning/fine-tuning/retraining-schedule';
import type { FineTuningClientFactory } from '../learning/fine-tuning/openai-fine-tuning-client';
import type { TrainingSetSource } from '../learning/fine-tuning/training-set-source';
import type { ModelGateway } from '../providers/types';

export const JOB_NAMES = [
  'daily-provider-summary',
  'usage-cleanup',
  'provider-health-metrics',
  'handoff-idle-release',
  'alert-rules',
  'experiment-guard',
  'csat-survey',
  'metrics-digest',
  'fine-tuning-poll',
  'fine-tuning-schedule',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What every job gets. */
export interface JobBase {
  orm: Orm;
  logger: Logger;
  metrics?: JobMetrics | null;
  now?: () => Date;
}

/** What usage-cleanup needs besides the base. */
export interface UsageCleanupDependencies {
  /** USAGE_RETENTION_DAYS. */
  retentionDays: number;
  /** USAGE_CLEANUP_BATCH_SIZE. */
  cleanupBatchSize: number;
}

/** What provider-health-metrics needs besides the base. */
export interface ProviderHealthDependencies {
  /** The provider layer's live health (this instance), when a gateway runs in the process. */
  healthSnapshot?: () => ProviderHealthSnapshot[];
  gauges?: ProviderHealthGauges | null;
}

/** What handoff-idle-release needs besides the base. */
export interface HandoffIdleDependencies {
  /** HANDOFF_IDLE_RELEASE_MINUTES (default 30). */
  handoffIdleMinutes?: number;
  /** Releases are announced here (the Slack app closes its handoff posts). */
  events?: DomainEvents;
  /** Customers whose conversation is released are told so through their channel, when it runs here. */
  customers?: CustomerChannelRegistry;
}

/** What alert-rules needs besides the base. */
export interface AlertRulesDependencies {
  /** The alert service the job raises and resolves through (the job is skipped without one). */
  alerts?: AlertService | null;
  /** Runbook links of alerts: `<base><rule>` (config.runbookBaseUrl). */
  runbookBaseUrl?: string;
}

/** What experiment-guard needs besides the base. */
export interface ExperimentGuardDependencies {
  /** The alert service: the guard and the rollout step alert on-call through it. */
  alerts?: AlertRaiser | null;
  /** Their alerts link `<base>model-version-guard` (config.runbookBaseUrl). */
  runbookBaseUrl?: string;
}

/** What csat-survey needs besides the base. */
export interface CsatSurveyDependencies {
  /** The channels the survey question is delivered through (those running in this process). */
  customers?: CustomerChannelRegistry;
}

/** What metrics-digest needs besides the base. */
export interface MetricsDigestDependencies {
  /** Built from ALERT_SMTP_URL; the job is skipped without one. */
  digestMailer?: DigestMailer | null;
  /** ALERT_EMAIL_TO: recipients for tenants that name none in settings.alerts.email.to. */
  digestDefaultTo?: string[];
}

/** What fine-tuning-poll and fine-tuning-schedule need besides the base (both are skipped without `fineTuning`). */
export interface FineTuningJobDependencies {
  fineTuning?: {
    /** OpenAI clients per tenant (its key, else OPENAI_API_KEY; OPENAI_BASE_URL). */
    clients: FineTuningClientFactory;
    trainingSets: TrainingSetSource;
    /** The gateway customers' turns use: fine-tuned drafts are evaluated through it. */
    gateway?: ModelGateway | null;
  } | null;
  /** Failed jobs and failed validations alert on-call through it. */
  alerts?: AlertRaiser | null;
}

/** Each job's own dependencies: a new job adds its entry here, not fields to a shared bag. */
export interface JobDependencies {
  'daily-provider-summary': JobBase;
  'usage-cleanup': JobBase & UsageCleanupDependencies;
  'provider-health-metrics': JobBase & ProviderHealthDependencies;
  'handoff-idle-release': JobBase & HandoffIdleDependencies;
  'alert-rules': JobBase & AlertRulesDependencies;
  'experiment-guard': JobBase & ExperimentGuardDependencies;
  'csat-survey': JobBase & CsatSurveyDependencies;
  'metrics-digest': JobBase & MetricsDigestDependencies;
  'fine-tuning-poll': JobBase & FineTuningJobDependencies;
  'fine-tuning-schedule': JobBase & FineTuningJobDependencies;
}

/** Everything needed to run any job (the scheduler and `npm run job`): main.ts and the CLI build it. */
export type JobContext = JobBase &
  UsageCleanupDependencies &
  ProviderHealthDependencies &
  HandoffIdleDependencies &
  AlertRulesDependencies &
  ExperimentGuardDependencies &
  CsatSurveyDependencies &
  MetricsDigestDependencies &
  FineTuningJobDependencies;

export interface JobRunOptions {
  /** daily-provider-summary: the UTC day to summarise (default: yesterday). */
  day?: string;
  /** A scheduled run: the cron slot (its minute) and this instance; the job runs once per slot across instances. */
  slot?: { slot: Date; instance: string };
}

export interface JobDefinition<N extends JobName = JobName> {
  name: N;
  /** Cron expression, evaluated in UTC. */
  schedule: string;
  description: string;
  run(context: JobDependencies[N], options: JobRunOptions): Promise<unknown>;
}

export const JOBS: { [N in JobName]: JobDefinition<N> } = {
  'daily-provider-summary': {
    name: 'daily-provider-summary',
    schedule: '0 1 * * *',
    description: "roll yesterday's provider usage (UTC) into daily summaries with latency percentiles",
    run: (context, options) => summariseProviderDay(context.orm.em.fork(), options.day ?? previousUtcDay(now(context))),
  },
  'usage-cleanup': {
    name: 'usage-cleanup',
    schedule: '30 3 * * 0',
    description: 'delete provider usage rows older than USAGE_RETENTION_DAYS, in batches',
    run: (context) =>
      cleanUpUsage(context.orm.em.fork(), {
        retentionDays: context.retentionDays,
        batchSize: context.cleanupBatchSize,
        now: now(context),
      }),
  },
  'provider-health-metrics': {
    name: 'provider-health-metrics',
    schedule: '5 * * * *',
    description: 'export provider health over the last hour (all instances) as gauges',
    run: (context) =>
      measureProviderHealth(context.orm.em.fork(), {
        now: now(context),
        snapshot: context.healthSnapshot?.(),
        gauges: context.gauges,
      }),
  },
  'handoff-idle-release': {
    name: 'handoff-idle-release',
    schedule: '* * * * *',
    description: "give quiet handed-off conversations (every channel) back to the bot after the tenant's idle time",
    run: (context) =>
      releaseIdleConversations(context.orm.em.fork(), {
        now: now(context),
        defaultMinutes: context.handoffIdleMinutes ?? 30,
        events: context.events,
        customers: context.customers,
        logger: context.logger,
      }),
  },
  'alert-rules': {
    name: 'alert-rules',
    schedule: '* * * * *',
    description: 'evaluate the five alert rules per tenant over sliding windows; raise, repeat and resolve alerts',
    run: async (context) => {
      if (!context.alerts) return { skipped: 'no alert service in this process' };
      return evaluateAlertRules(context.orm, {
        alerts: context.alerts,
        logger: context.logger,
        now: now(context),
        runbookBaseUrl: context.runbookBaseUrl ?? 'docs/runbooks/',
      });
    },
  },
  'experiment-guard': {
    name: 'experiment-guard',
    schedule: '*/5 * * * *',
    description:
      'stop experiments whose candidate is significantly worse (> 5 %) on a guarded metric and alert on-call; advance, complete or roll back rollouts',
    run: async (context) => {
      const options = {
        now: now(context),
        alerts: context.alerts,
        logger: context.logger,
        runbookUrl: `${context.runbookBaseUrl ?? 'docs/runbooks/'}${MODEL_VERSION_GUARD_RUNBOOK}`,
      };
      const stopped = await guardRunningExperiments(context.orm.em, options);
      const rollouts = await stepRollouts(context.orm.em, options);
      return {
        experiments: stopped.map(({ experiment, stopped }) => ({ experiment, stopped })),
        rollouts: rollouts.map(({ rolloutId, action, reason }) => ({ rolloutId, action, reason })),
      };
    },
  },
  'csat-survey': {
    name: 'csat-survey',
    schedule: '* * * * *',
    description:
      "ask the 1–5 satisfaction survey in quiet bot conversations of tenants with settings.csatSurvey on (the customer's answer is recorded by the engine)",
    run: (context) =>
      askDueSurveys(context.orm.em.fork(), { customers: context.customers, now: now(context), logger: context.logger }),
  },
  'metrics-digest': {
    name: 'metrics-digest',
    schedule: '0 7 * * *',
    description:
      "email each tenant whose info alerts route to email yesterday's metrics digest (and, on Mondays, last week's)",
    run: async (context) => {
      if (!context.digestMailer) return { skipped: 'no SMTP server (set ALERT_SMTP_URL)' };
      const at = now(context);
      const periods: DigestPeriod[] = at.getUTCDay() === 1 ? ['day', 'week'] : ['day'];
      const results = [];
      for (const period of periods)
        results.push(
          await sendMetricsDigests(context.orm.em.fork(), {
            mailer: context.digestMailer,
            period,
            now: at,
            defaultTo: context.digestDefaultTo ?? [],
            logger: context.logger,
          }),
        );
      return results;
    },
  },
  'fine-tuning-poll': {
    name: 'fine-tuning-poll',
    schedule: '*/5 * * * *',
    description:
      'poll open fine-tuning jobs (status and events); a succeeded job becomes a draft version evaluated on the gating dataset; alert on failures',
    run: async (context) => {
      if (!context.fineTuning) return { skipped: 'fine-tuning is not configured in this process' };
      return pollFineTuningJobs({
        em: context.orm.em,
        clients: context.fineTuning.clients,
        gateway: context.fineTuning.gateway,
        alerts: context.alerts,
        logger: context.logger,
        now: now(context),
      });
    },
  },
  'fine-tuning-schedule': {
    name: 'fine-tuning-schedule',
    schedule: '0 4 * * *',
    description:
      'monthly retraining (tenant setting fineTuning.schedule): start a job for each tenant with enough new data this month, or record why not',
    run: async (context) => {
      if (!context.fineTuning) return { skipped: 'fine-tuning is not configured in this process' };
      return runScheduledRetraining(
        {
          em: context.orm.em,
          clients: context.fineTuning.clients,
          trainingSets: context.fineTuning.trainingSets,
          alerts: context.alerts,
          logger: context.logger,
        },
        { now: now(context) },
      );
    },
  },
};

export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOBS, name);
}

/** Run counters and durations per job. */
export class JobMetrics {
  readonly runs: Counter<'job' | 'outcome'>;
  readonly duration: Histogram<'job'>;

  constructor(registry: Registry) {
    this.runs = counterOn(registry, {
      name: 'parley_job_runs_total',
      help: 'Scheduled job runs by outcome (ok, skipped, failed)',
      labelNames: ['job', 'outcome'],
    });
    this.duration = histogramOn(registry, {
      name: 'parley_job_duration_seconds',
      help: 'Scheduled job run time',
      labelNames: ['job'],
      buckets: [0.01, 0.1, 1, 10, 60, 300, 1800],
    });
  }
}

/**
 * Runs one job under its advisory lock (skipped when another instance holds
 * it), logging and counting the outcome. Throws what the job throws.
 */
export async function runJob(name: string, context: JobContext, options: JobRunOptions = {}): Promise<Locked<unknown>> {
  if (!isJobName(name))
    throw badInput(`Unknown job ${JSON.stringify(name)}: use one of ${Object.keys(JOBS).join(', ')}`);
  const job = JOBS[name];
  const started = process.hrtime.bigint();
  try {
    const outcome = await withJobLock(context.orm.em, name, () => job.run(context, options), options.slot);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    context.metrics?.runs.inc({ job: name, outcome: outcome.ran ? 'ok' : 'skipped' });
    context.metrics?.duration.observe({ job: name }, seconds);
    if (outcome.ran) context.logger.info({ job: name, seconds, result: outcome.result }, 'job finished');
    else context.logger.info({ job: name, reason: outcome.reason }, 'job skipped');
    return outcome;
  } catch (error) {
    context.metrics?.runs.inc({ job: name, outcome: 'failed' });
    context.logger.error({ err: error, job: name }, 'job failed');
    throw error;
  }
}

function now(context: JobBase): Date {
  return context.now?.() ?? new Date();
}
