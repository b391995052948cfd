import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Alert } from '../../src/db/entities';
import { pinnedToTenant } from '../../src/db/tenant-pinned';
import { badInput } from '../../src/errors';
import { textProblem } from '../../src/text-safety';
import { listAlerts, ruleOf } from '../../src/monitoring/alert-listing';
import { ALERT_RULES } from '../../src/monitoring/alert-rules';
import { createAlertService, type AlertService } from '../../src/monitoring/alert-service';
import {
  getAlertSettings,
  THRESHOLD_DESCRIPTIONS,
  updateAlertSettings,
  type AlertSettingsView,
} from '../../src/monitoring/alert-settings-service';
import { toConnection } from '../common/connection.types';
import { callerOf, type GraphqlContext } from '../common/context';
import type { GraphqlServices } from '../common/services';
import {
  AlertConnection,
  AlertFilterInput,
  AlertSettingsInput,
  AlertSettingsType,
  AlertType,
  type AlertNotifierEnum,
  type AlertSeverityEnum,
  type AlertStatusEnum,
} from './alerts.types';

/** At most a week: longer than that, switch the rule off in the settings instead. */
export const MAX_SILENCE_MINUTES = 7 * 24 * 60;

const fallbacks = new WeakMap<GraphqlServices, AlertService>();

/**
 * The service's alert service (acknowledging and silencing update the Slack,
 * email and PagerDuty messages). A process without one (tests, tools) gets one
 * without notifiers: the state changes and is audited, no message is updated.
 */
function alertsOf(services: GraphqlServices): AlertService {
  if (services.alerts) return services.alerts;
  let service = fallbacks.get(services);
  if (!service) {
    service = createAlertService({
      orm: services.orm,
      notifiers: [],
      logger: services.logger,
      repeatHours: 4,
      groupWindowSeconds: 0,
      silenceMinutes: 60,
      graphqlUrl: '/graphql',
    });
    fallbacks.set(services, service);
  }
  return service;
}

/** The alert as stored after a change the alert service made (its view leaves out a few columns). */
async function stored(context: GraphqlContext, tenantId: string, id: string): Promise<AlertType> {
  return toAlert(await context.em.fork().findOneOrFail(Alert, { tenant: tenantId, id }, pinnedToTenant));
}

function toAlert(alert: Alert, now = new Date()): AlertType {
  return {
    id: alert.id,
    key: alert.key,
    rule: ruleOf(alert.key),
    title: alert.title,
    severity: alert.severity as AlertSeverityEnum,
    status: alert.status as AlertStatusEnum,
    description: alert.description,
    metric: alert.metric,
    value: alert.value,
    threshold: alert.threshold,
    query: alert.query,
    runbookUrl: alert.runbookUrl,
    firedAt: alert.firedAt,
    lastSeenAt: alert.lastSeenAt,
    resolvedAt: alert.resolvedAt,
    acknowledgedBy: alert.acknowledgedBy,
    acknowledgedAt: alert.acknowledgedAt,
    silenced: Boolean(alert.silencedUntil && alert.silencedUntil > now),
    silencedUntil: alert.silencedUntil,
    silencedBy: alert.silencedBy,
    silenceReason: alert.silenceReason,
    notifyCount: alert.notifyCount,
    notifyError: alert.notifyError,
  };
}

function toSettings(view: AlertSettingsView): AlertSettingsType {
  return {
    thresholds: view.thresholds.map((threshold) => ({
      ...threshold,
      description: THRESHOLD_DESCRIPTIONS[threshold.name],
    })),
    routes: view.routes.map((route) => ({
      severity: route.severity as AlertSeverityEnum,
      notifiers: route.notifiers as AlertNotifierEnum[],
      defaults: route.defaults as AlertNotifierEnum[],
      custom: route.custom,
    })),
    emailTo: view.emailTo,
    pagerDutyRoutingKeySet: view.pagerDutyRoutingKeySet,
    monthlyBudgetUsd: view.monthlyBudgetUsd,
    disabledRules: view.disabledRules,
    rules: [...ALERT_RULES],
    problem: view.problem,
    updatedAt: view.updatedAt,
  };
}

@Resolver()
export class AlertsResolver {
  @Authorized('analytics:view')
  @Query(() => AlertConnection, {
    description:
      "The tenant's alerts: firing ones first, then resolved ones, newest episode first. Scope: analytics:view.",
  })
  async alerts(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => AlertFilterInput, { nullable: true, description: 'Filters; all optional.' })
    filter: AlertFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null,
  ) {
    const page = await listAlerts(context.em, { tenantId: callerOf(context).tenantId, filter, first, after });
    const now = new Date();
    return toConnection({ ...page, nodes: page.nodes.map((alert) => toAlert(alert, now)) });
  }

  @Authorized('corrections:write')
  @Mutation(() => AlertType, {
    description:
      'Acknowledges an alert: someone is on it, no more repeats of this episode; its Slack, email and PagerDuty messages are updated. Idempotent. Audited. Scope: corrections:write.',
  })
  async acknowledgeAlert(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Alert id.' }) id: string,
  ): Promise<AlertType> {
    const caller = callerOf(context);
    await alertsOf(context.services).acknowledge(caller.tenantId, id, caller.actor);
    return stored(context, caller.tenantId, id);
  }

  @Authorized('corrections:write')
  @Mutation(() => AlertType, {
    description:
      'Silences an alert: no notification (repeat or new episode) for `minutes`; it still shows as firing. Audited. Scope: corrections:write.',
  })
  async silenceAlert(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Alert id.' }) id: string,
    @Arg('minutes', () => Int, { description: `How long, 1–${MAX_SILENCE_MINUTES} minutes (a week).` })
    minutes: number,
    @Arg('reason', () => String, { description: 'Why, 1–500 characters (shown with the alert).' }) reason: string,
  ): Promise<AlertType> {
    const caller = callerOf(context);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_SILENCE_MINUTES)
      throw badInput(`minutes must be between 1 and ${MAX_SILENCE_MINUTES} (a week)`, { field: 'minutes' });
    const why = reason.trim();
    if (!why || why.length > 500 || textProblem(why))
      throw badInput('reason: say why in 1–500 characters', { field: 'reason' });
    await alertsOf(context.services).silence(caller.tenantId, id, caller.actor, minutes, why);
    return stored(context, caller.tenantId, id);
  }

  @Authorized('corrections:write')
  @Mutation(() => AlertType, {
    description: 'Ends the silence of an alert now (no-op when it is not silenced). Audited. Scope: corrections:write.',
  })
  async unsilenceAlert(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Alert id.' }) id: string,
  ): Promise<AlertType> {
    const caller = callerOf(context);
    await alertsOf(context.services).unsilence(caller.tenantId, id, caller.actor);
    return stored(context, caller.tenantId, id);
  }

  @Authorized('analytics:view')
  @Query(() => AlertSettingsType, {
    description:
      'Alert rule thresholds (effective values and defaults) and notification routing per severity. Scope: analytics:view.',
  })
  async alertSettings(@Ctx() context: GraphqlContext): Promise<AlertSettingsType> {
    return toSettings(await getAlertSettings(context.em, callerOf(context).tenantId));
  }

  @Authorized('users:manage')
  @Mutation(() => AlertSettingsType, {
    description:
      'Changes alert thresholds and routing, validated with the schema the rules read (BAD_USER_INPUT names each refused field; nothing is written then). Audited. Scope: users:manage.',
  })
  async updateAlertSettings(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => AlertSettingsInput, { description: 'The changes.' }) input: AlertSettingsInput,
  ): Promise<AlertSettingsType> {
    const caller = callerOf(context);
    const view = await updateAlertSettings(context.em, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      change: {
        thresholds: input.thresholds ? { ...input.thresholds } : input.thresholds,
        routes: input.routes ? { ...input.routes } : input.routes,
        emailTo: input.emailTo,
        monthlyBudgetUsd: input.monthlyBudgetUsd,
        disabledRules: input.disabledRules,
      },
    });
    return toSettings(view);
  }
}
