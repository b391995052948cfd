import { Counter, Histogram, type Registry } from 'prom-client';
import type { Orm } from '../db/orm';
import { badInput } from '../errors';
import type { Logger } from '../logger';
import type { ProviderHealthSnapshot } from '../providers/health';
import { previousUtcDay, summariseProviderDay } from './daily-provider-summary';
import { withJobLock, type Locked } from './job-lock';
import { measureProviderHealth, ProviderHealthGauges } from './provider-health-metrics';
import { cleanUpUsage } from './usage-cleanup';
import { guardRunningExperiments, type AlertRaiser } from '../learning/experiments/experiment-guard-job';
import { stepRollouts } from '../learning/experiments/rollout-service';

export type JobName = 'daily-provider-summary' | 'usage-cleanup' | 'provider-health-metrics' | 'experiment-guard';

/** What jobs need; main.ts and the `npm run job` CLI build it. */
export interface JobContext {
  orm: Orm;
  logger: Logger;
  /** USAGE_RETENTION_DAYS. */
  retentionDays: number;
  /** USAGE_CLEANUP_BATCH_SIZE. */
  cleanupBatchSize: number;
  /** The provider layer's live health (this instance), when a gateway runs in the process. */
  healthSnapshot?: () => ProviderHealthSnapshot[];
  gauges?: ProviderHealthGauges | null;
  metrics?: JobMetrics | null;
  /** The alert service: the experiment guard alerts on-call through it. */
  alerts?: AlertRaiser | null;
  now?: () => Date;
}

export interface JobRunOptions {
  /** daily-provider-summary: the UTC day to summarise (default: yesterday). */
  day?: string;
}

export interface JobDefinition {
  name: JobName;
  /** Cron expression, evaluated in UTC. */
  schedule: string;
  description: string;
  run(context: JobContext, options: JobRunOptions): Promise<unknown>;
}

export const JOBS: Record<JobName, JobDefinition> = {
  'daily-provider-summary': {
    name: 'daily-provider-summary',
    schedule: '0 1 * * *',
    description: 'roll yesterday\'s provider usage (UTC) into daily summaries with latency percentiles',
    run: (context, options) => summariseProviderDay(context.orm.em.fork(), options.day ?? previousUtcDay(now(context))),
  },
  'usage-cleanup': {
    name: 'usage-cleanup',
    schedule: '30 3 * * 0',
    description: 'delete provider usage rows older than USAGE_RETENTION_DAYS, in batches',
    run: (context) => cleanUpUsage(context.orm.em.fork(), { retentionDays: context.retentionDays, batchSize: context.cleanupBatchSize, now: now(context) }),
  },
  'provider-health-metrics': {
    name: 'provider-health-metrics',
    schedule: '5 * * * *',
    description: 'export provider health over the last hour (all instances) as gauges',
    run: (context) => measureProviderHealth(context.orm.em.fork(), { now: now(context), snapshot: context.healthSnapshot?.(), gauges: context.gauges }),
  },
  'experiment-guard': {
    name: 'experiment-guard',
    schedule: '*/5 * * * *',
    description: 'stop experiments whose candidate is significantly worse (> 5 %) on a guarded metric and alert on-call; advance, complete or roll back rollouts',
    run: async (context) => {
      const options = { now: now(context), alerts: context.alerts, logger: context.logger };
      const stopped = await guardRunningExperiments(context.orm.em, options);
      const rollouts = await stepRollouts(context.orm.em, options);
      return { experiments: stopped.map(({ experiment, stopped }) => ({ experiment, stopped })), rollouts: rollouts.map(({ rolloutId, action, reason }) => ({ rolloutId, action, reason })) };
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
    this.runs = new Counter({ name: 'parley_job_runs_total', help: 'Scheduled job runs by outcome (ok, skipped, failed)', labelNames: ['job', 'outcome'], registers: [registry] });
    this.duration = new Histogram({ name: 'parley_job_duration_seconds', help: 'Scheduled job run time', labelNames: ['job'], buckets: [0.01, 0.1, 1, 10, 60, 300, 1800], registers: [registry] });
  }
}

/**
 * Runs one job under its advisory lock (skipped when another instance holds
 * it), logging and counting the outcome. Throws what the job throws.
 */
export async function runJob(name: string, context: JobContext, options: JobRunOptions = {}): Promise<Locked<unknown>> {
  if (!isJobName(name)) throw badInput(`Unknown job ${JSON.stringify(name)}: use one of ${Object.keys(JOBS).join(', ')}`);
  const job = JOBS[name];
  const started = process.hrtime.bigint();
  try {
    const outcome = await withJobLock(context.orm.em, name, () => job.run(context, options));
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

function now(context: JobContext): Date {
  return context.now?.() ?? new Date();
}
