import { commandLine } from './command-line';
import 'reflect-metadata';
import { AgentInteraction, Experiment, InteractionFeedback, Rollout } from '../db/entities';
import { createConversationEngine } from '../engine/conversation-engine';
import { badInput } from '../errors';
import { DomainEvents } from '../events';
import { guardRunningExperiments } from '../learning/experiments/experiment-guard-job';
import { experimentResults } from '../learning/experiments/experiment-metrics';
import { stopExperiment } from '../learning/experiments/experiment-service';
import { seededRandom } from '../learning/experiments/guard';
import {
  abortRollout,
  createRollout,
  stepRollouts,
  type RolloutDecision,
} from '../learning/experiments/rollout-service';
import {
  activeModelVersion,
  createDraftModelVersion,
  markModelVersionEvaluated,
} from '../learning/model-versions/model-version-service';
import { createAlertService } from '../monitoring/alert-service';
import type { AlertInput } from '../monitoring/alert-types';
import type { ModelGateway, ReplyOutcome, ReplyRequest } from '../providers/types';
import { runCli, withDatabase } from './cli-runner';
import { cliTenant } from './cli-services';
import { configuredAlertSettings } from '../monitoring/configured-notifiers';

const values = commandLine().values;

function numberOption(name: string, fallback: number): number {
  const value = values[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw badInput(`--${name} must be a number`);
  return parsed;
}

/** Answers instantly, as a provider would, without network: the simulation is about the rollout, not the model. */
class SyntheticGateway implements ModelGateway {
  async reply(request: ReplyRequest): Promise<ReplyOutcome> {
    const usage = { inputTokens: 100, cachedInputTokens: 0, outputTokens: 30, totalTokens: 130 };
    return {
      text: `Synthetic answer to: ${request.messages.at(-1)?.content ?? ''}`,
      provider: 'knowledge-base',
      model: 'synthetic',
      complexity: 0.1,
      routingReason: 'simulation',
      failover: false,
      cacheHit: false,
      latencyMs: 40,
      usage,
      costUsd: 0.0001,
      attempts: [],
      needsHuman: false,
    };
  }
}

const percent = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)} %`;

async function main(): Promise<number> {
  const controlRate = numberOption('control-rate', 0.75);
  const candidateRate = numberOption('candidate-rate', 0.8);
  const perHour = numberOption('customers-per-hour', 60);
  const rateShare = numberOption('rate-share', 0.7);
  const stages = String(values.stages ?? '0.1,0.5,1')
    .split(',')
    .map(Number);
  const stageHours = numberOption('stage-hours', 48);
  const minSample = numberOption('min-sample', 100);
  const watchHours = numberOption('watch-hours', 48);
  const tickHours = numberOption('tick-hours', 6);
  const maxDays = numberOption('max-days', 40);
  const random = seededRandom(numberOption('seed', 1));
  return withDatabase(async (context) => {
    const { config, database, logger } = context;
    const tenantName = String(values.tenant ?? 'demo');
    const tenant = await cliTenant(context, tenantName);
    const em = () => database.orm.em.fork();
    const actor = 'system:simulate-rollout' as const;

    // A clean start: an unfinished rollout or running experiment of an earlier run is ended first.
    for (const open of await em().find(Rollout, {
      tenant: tenant.id,
      status: { $in: ['running', 'paused', 'watching'] },
    })) {
      await abortRollout(em(), {
        tenantId: tenant.id,
        rolloutId: open.id,
        actor,
        reason: 'superseded by a new simulation',
      });
    }
    for (const running of await em().find(Experiment, { tenant: tenant.id, status: 'running' })) {
      await stopExperiment(em(), {
        tenantId: tenant.id,
        experiment: running.id,
        actor,
        reason: 'superseded by a new simulation',
      });
    }

    const control = await activeModelVersion(em(), tenant.id);
    const draft = await createDraftModelVersion(em(), {
      tenantId: tenant.id,
      actor,
      changes: { notes: `simulated candidate (👍 ${candidateRate} vs ${controlRate})` },
    });
    const candidate = await markModelVersionEvaluated(em(), {
      tenantId: tenant.id,
      versionId: draft.id,
      actor,
      reason: 'simulation',
    });
    const rates = new Map([
      [control.id, controlRate],
      [candidate.id, candidateRate],
    ]);

    // Metrics are cut by time window, version and arm: a new run starts after the latest simulated turn of earlier runs
    // (their accelerated clocks ran into the future), so no earlier run's traffic falls into this rollout's window.
    const [latest] = await em()
      .getConnection()
      .execute<{ at: string | Date | null }[]>(
        'select max(created_at) as at from agent_interaction where tenant_id = ?',
        [tenant.id],
      );
    let now = new Date(Math.max(Date.now(), latest?.at ? new Date(latest.at).getTime() + 3_600_000 : 0));
    // Alerts go through the alert service (stored; notified to the log here), and are echoed in the output.
    const alertService = createAlertService({
      orm: database.orm,
      notifiers: [],
      logger,
      ...configuredAlertSettings(config),
      now: () => now,
    });
    const alerts = {
      raise: async (input: AlertInput) => {
        process.stdout.write(`ALERT (${input.severity}) ${input.title}: ${input.description ?? ''}\n`);
        return alertService.raise(input);
      },
    };
    const engine = createConversationEngine({
      orm: database.orm,
      gateway: new SyntheticGateway(),
      events: new DomainEvents(),
      logger,
      clock: () => now,
    });
    const rollout = await createRollout(em(), {
      tenantId: tenant.id,
      actor,
      candidateVersionId: candidate.id,
      stages,
      minStageHours: stageHours,
      minSamplePerArm: minSample,
      watchHours,
      now,
    });
    process.stdout.write(
      `Rollout of version ${candidate.number} (👍 ${percent(candidateRate, 0)}) against version ${control.number} (👍 ${percent(controlRate, 0)}) on ${tenantName}: ` +
        `stages ${stages.map((stage) => percent(stage, 0)).join(' → ')}, ≥ ${stageHours} h and ≥ ${minSample} customers per arm per stage, watch ${watchHours} h\n`,
    );
    const started = now.getTime();
    const runTag = candidate.id.slice(0, 6);
    let customer = 0;
    let last: RolloutDecision | null = null;
    const hoursSince = () => ((now.getTime() - started) / 3_600_000).toFixed(0).padStart(4);
    while (now.getTime() - started < maxDays * 24 * 3_600_000) {
      now = new Date(now.getTime() + tickHours * 3_600_000);
      const arrivals = Math.round(perHour * tickHours);
      for (let index = 0; index < arrivals; index++) {
        customer += 1;
        const turn = await engine.handleTurn({
          tenantId: tenant.id,
          channel: 'whatsapp',
          externalId: `+1999${runTag}${customer}`,
          text: 'Where is my order?',
        });
        if (!turn.interactionId || random() >= rateShare) continue;
        const fork = em();
        const interaction = await fork.findOneOrFail(AgentInteraction, { id: turn.interactionId });
        const rate = rates.get(interaction.modelVersionId ?? '') ?? controlRate;
        fork.create(InteractionFeedback, { tenant: tenant.id, interaction, helpful: random() < rate, votedAt: now });
        await fork.flush();
      }
      // What the experiment-guard job does on schedule, at the simulated time.
      await guardRunningExperiments(database.orm.em, { now, logger, alerts });
      const decision = (await stepRollouts(database.orm.em, { now, logger, alerts })).find(
        (entry) => entry.rolloutId === rollout.id,
      );
      if (!decision) break;
      last = decision;
      const experiment = await em().findOneOrFail(Experiment, { id: rollout.experiment.id });
      if (decision.action !== 'waiting' || Number(hoursSince()) % 24 === 0) {
        const results = decision.results ?? (await experimentResults(em(), experiment, now, {}, false));
        const thumbs = results.comparisons.find((comparison) => comparison.metric === 'thumbs_up_rate')!;
        const stat =
          `customers ${results.arms.control.customers}/${results.arms.candidate.customers}, 👍 ${percent(thumbs.controlValue)} → ${percent(thumbs.candidateValue)} ` +
          `(${thumbs.fixed.expected >= 0 ? '+' : ''}${percent(thumbs.fixed.expected)}, always-valid CI ${percent(thumbs.sequential.ci[0])} … ${percent(thumbs.sequential.ci[1])}), ` +
          `SRM p ${results.srmPValue?.toPrecision(3) ?? '–'}`;
        const where =
          decision.action === 'waiting' && decision.stage !== undefined
            ? `stage ${decision.stage + 1} (${percent(decision.coverage, 0)})`
            : '';
        process.stdout.write(
          `[+${hoursSince()} h] ${decision.action.toUpperCase().padEnd(11)} ${where} ${experiment.status === 'running' ? stat : ''}\n               ${decision.reason}\n`,
        );
      }
      if (decision.action === 'completed' || decision.action === 'rolled_back' || decision.action === 'ended') break;
    }
    const final = await em().findOneOrFail(Rollout, { id: rollout.id });
    const active = await activeModelVersion(em(), tenant.id);
    process.stdout.write(
      `\nRollout ${final.status}${final.endReason ? ` (${final.endReason})` : ''}; active version: ${active.number}; ${customer} synthetic customers.\n`,
    );
    if (last?.action === 'rolled_back') return 3;
    return active.id === candidate.id ? 0 : 3;
  });
}

runCli('simulate:rollout', main);
