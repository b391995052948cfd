import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../audit/audit-service';
import { Experiment } from '../../db/entities';
import type { Logger } from '../../logger';
import type { AlertInput } from '../../monitoring/alert-types';
import { experimentResults } from './experiment-metrics';
import { stopExperiment } from './experiment-service';
import type { GuardOptions, GuardResult } from './guard';

/** What the guard needs of the alert service (src/monitoring/alert-service.ts). */
export interface AlertRaiser {
  raise(input: AlertInput): Promise<unknown>;
}

export interface GuardRunOptions {
  now: Date;
  alerts?: AlertRaiser | null;
  logger?: Logger | null;
  guard?: GuardOptions;
  /** Link of the runbook for the alert it raises (docs/runbooks/model-version-guard.md). */
  runbookUrl?: string | null;
}

export interface GuardRunOutcome {
  experiment: string;
  tenantId: string;
  stopped: boolean;
  worse: GuardResult[];
}

export const GUARD_ACTOR: Actor = 'system:experiment-guard';

/**
 * Early stopping: every running experiment's guarded metrics are checked with
 * evaluateGuard (a drop of more than 5 % that the always-valid sequential test
 * says is real). A candidate worse on any of them is stopped at once (everyone
 * back to the active version from the next turn, on every instance), with the
 * evidence in the deployment history and the audit log, and on-call alerted.
 * Runs under the job's advisory lock (src/jobs), one instance at a time.
 */
export async function guardRunningExperiments(em: EntityManager, options: GuardRunOptions): Promise<GuardRunOutcome[]> {
  const running = await em.fork().find(Experiment, { status: 'running' }, { orderBy: { startedAt: 'asc' } });
  const outcomes: GuardRunOutcome[] = [];
  for (const experiment of running) {
    const tenantId = typeof experiment.tenant === 'string' ? experiment.tenant : experiment.tenant.id;
    const results = await experimentResults(em.fork(), experiment, options.now, options.guard, false);
    const worse = results.guards.filter((guard) => guard.verdict === 'worse');
    outcomes.push({ experiment: experiment.key, tenantId, stopped: worse.length > 0, worse });
    if (!worse.length) continue;
    const reason = `automatic stop: candidate worse on ${worse.map((guard) => guard.reason).join('; ')}`;
    await stopExperiment(em.fork(), {
      tenantId,
      experiment: experiment.id,
      actor: GUARD_ACTOR,
      reason,
      now: options.now,
      details: { evidence: worse, arms: results.arms },
    });
    options.logger?.warn({ tenantId, experiment: experiment.key, reason }, 'experiment stopped by its guard');
    await options.alerts
      ?.raise({
        tenantId,
        key: `experiment-guard:${experiment.id}`,
        title: `Experiment ${experiment.key} stopped: the candidate is worse`,
        severity: 'critical',
        description: `${reason}. Every customer is back on the active version.`,
        metric: worse[0].metric,
        value: worse[0].relativeChange,
        threshold: -(options.guard?.maxRelativeDrop ?? 0.05),
        query: `{ experiment(reference: "${experiment.key}") { key status stopReason results { srm comparisons { metric relativeChange pValue } } } }`,
        runbookUrl: options.runbookUrl ?? undefined,
      })
      .catch((error: unknown) =>
        options.logger?.error({ err: error, experiment: experiment.key }, 'could not raise the experiment-guard alert'),
      );
  }
  return outcomes;
}
