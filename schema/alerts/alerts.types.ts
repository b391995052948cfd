import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionOf } from '../common/connection.types';

export enum AlertStatusEnum {
  FIRING = 'firing',
  RESOLVED = 'resolved',
}
registerEnumType(AlertStatusEnum, {
  name: 'AlertStatus',
  description: 'FIRING: the condition holds (acknowledged or not); RESOLVED: it no longer does.',
});

export enum AlertSeverityEnum {
  INFO = 'info',
  WARNING = 'warning',
  CRITICAL = 'critical',
}
registerEnumType(AlertSeverityEnum, {
  name: 'AlertSeverity',
  description: 'CRITICAL pages on-call by default, WARNING goes to the team, INFO to the email digest.',
});

export enum AlertNotifierEnum {
  SLACK = 'slack',
  EMAIL = 'email',
  PAGERDUTY = 'pagerduty',
}
registerEnumType(AlertNotifierEnum, {
  name: 'AlertNotifier',
  description: 'Where an alert can be routed (the service log always receives every alert).',
});

@ObjectType('Alert', {
  simpleResolvers: true,
  description: 'One alert of the tenant: a condition (its key) and its current episode.',
})
export class AlertType {
  @Field(() => ID, { description: 'Alert id.' })
  id!: string;

  @Field(() => String, { description: 'Stable name of the condition, e.g. provider-failure:openai.' })
  key!: string;

  @Field(() => String, {
    description: 'The rule (or raiser) behind it: the key before its first colon, e.g. provider-failure.',
  })
  rule!: string;

  @Field(() => String, { description: 'One-line summary.' })
  title!: string;

  @Field(() => AlertSeverityEnum, { description: 'Severity.' })
  severity!: AlertSeverityEnum;

  @Field(() => AlertStatusEnum, { description: 'FIRING or RESOLVED.' })
  status!: AlertStatusEnum;

  @Field(() => String, { nullable: true, description: 'What was measured, in words.' })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'The metric watched, e.g. reply_latency_p95_ms.' })
  metric!: string | null;

  @Field(() => Float, { nullable: true, description: 'Its value when last raised.' })
  value!: number | null;

  @Field(() => Float, { nullable: true, description: 'The threshold it crossed (same unit as value).' })
  threshold!: number | null;

  @Field(() => String, { nullable: true, description: 'A GraphQL query that shows the data behind the alert.' })
  query!: string | null;

  @Field(() => String, { nullable: true, description: "Link to the rule's runbook: what on-call should do." })
  runbookUrl!: string | null;

  @Field(() => Date, { description: 'Since when this episode has been firing.' })
  firedAt!: Date;

  @Field(() => Date, { description: 'Last time the condition was seen holding.' })
  lastSeenAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it stopped (RESOLVED only).' })
  resolvedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who acknowledged this episode (apikey:<id> or slack:<user>).' })
  acknowledgedBy!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was acknowledged: no repeats after that.' })
  acknowledgedAt!: Date | null;

  @Field(() => Boolean, { description: 'True while notifications of this alert are muted.' })
  silenced!: boolean;

  @Field(() => Date, { nullable: true, description: 'Muted until then (may be in the past).' })
  silencedUntil!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who silenced it.' })
  silencedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was silenced.' })
  silenceReason!: string | null;

  @Field(() => Int, { description: 'Notifications sent for it (first and repeats).' })
  notifyCount!: number;

  @Field(() => String, { nullable: true, description: 'The last notification failure, if any.' })
  notifyError!: string | null;
}

export const AlertConnection = connectionOf(
  AlertType,
  'Alert',
  "A page of the tenant's alerts: firing ones first, then resolved ones, newest episode first.",
);

@InputType({ description: 'Filters for the alerts list; all optional, combined with AND.' })
export class AlertFilterInput {
  @Field(() => AlertStatusEnum, { nullable: true, description: 'Only FIRING or only RESOLVED alerts.' })
  status?: AlertStatusEnum | null;

  @Field(() => AlertSeverityEnum, { nullable: true, description: 'Only this severity.' })
  severity?: AlertSeverityEnum | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only this rule: latency-p95, cost-spike, provider-failure, handoff-spike, quality-degradation, …',
  })
  rule?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only acknowledged ones; false: only unacknowledged.' })
  acknowledged?: boolean | null;
}

@ObjectType('AlertThreshold', { simpleResolvers: true, description: 'One threshold of the alert rules.' })
export class AlertThresholdType {
  @Field(() => String, { description: 'Its name in AlertThresholdsInput, e.g. latencyP95Ms.' })
  name!: string;

  @Field(() => Float, { description: 'The value the rules use now.' })
  value!: number;

  @Field(() => Float, { description: 'The value in code, used when the tenant sets none.' })
  defaultValue!: number;

  @Field(() => Boolean, { description: 'True when the tenant set its own value.' })
  custom!: boolean;

  @Field(() => String, { description: 'What it means, with its unit and range.' })
  description!: string;
}

@ObjectType('AlertRoute', { simpleResolvers: true, description: 'Where alerts of one severity go.' })
export class AlertRouteType {
  @Field(() => AlertSeverityEnum, { description: 'Severity.' })
  severity!: AlertSeverityEnum;

  @Field(() => [AlertNotifierEnum], { description: 'Notifiers that receive it now (empty: the log only).' })
  notifiers!: AlertNotifierEnum[];

  @Field(() => [AlertNotifierEnum], { description: 'The default route in code.' })
  defaults!: AlertNotifierEnum[];

  @Field(() => Boolean, { description: 'True when the tenant set its own route.' })
  custom!: boolean;
}

@ObjectType('AlertSettings', {
  simpleResolvers: true,
  description: "The tenant's alert rule thresholds and notification routing (settings.alerts).",
})
export class AlertSettingsType {
  @Field(() => [AlertThresholdType], { description: 'Every threshold with its effective value and default.' })
  thresholds!: AlertThresholdType[];

  @Field(() => [AlertRouteType], { description: 'Per severity (critical, warning, info), where alerts go.' })
  routes!: AlertRouteType[];

  @Field(() => [String], {
    nullable: true,
    description: 'Email recipients; null: the service default (ALERT_EMAIL_TO).',
  })
  emailTo!: string[] | null;

  @Field(() => Boolean, { description: 'Whether the tenant has its own PagerDuty routing key (never shown).' })
  pagerDutyRoutingKeySet!: boolean;

  @Field(() => Float, {
    nullable: true,
    description: 'Monthly LLM budget in USD the cost-spike rule paces; null: no budget, no cost rule.',
  })
  monthlyBudgetUsd!: number | null;

  @Field(() => [String], { description: 'Rules switched off for this tenant.' })
  disabledRules!: string[];

  @Field(() => [String], { description: 'The rules there are.' })
  rules!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Set when the stored settings are invalid: the rules run on the defaults until fixed.',
  })
  problem!: string | null;

  @Field(() => Date, { description: "Last change of the tenant's settings." })
  updatedAt!: Date;
}

@InputType({ description: 'Threshold changes; omitted fields stay, null resets to the default.' })
export class AlertThresholdsInput {
  @Field(() => Int, { nullable: true, description: 'Window the rules look at, 1–1440 minutes.' })
  windowMinutes?: number | null;

  @Field(() => Int, { nullable: true, description: 'Samples a window needs before a rule may fire, ≥ 1.' })
  minSamples?: number | null;

  @Field(() => Float, { nullable: true, description: 'Quality drop below the baseline that fires, 0–10 (0.1 = 10 %).' })
  qualityDropRatio?: number | null;

  @Field(() => Int, { nullable: true, description: 'Quality baseline, 1–2160 hours before the window.' })
  qualityBaselineHours?: number | null;

  @Field(() => Float, { nullable: true, description: 'Spend over the budget pace that fires, 0–10 (0.2 = 20 %).' })
  costOverPaceRatio?: number | null;

  @Field(() => Float, { nullable: true, description: 'p95 reply latency that fires, milliseconds > 0.' })
  latencyP95Ms?: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of failed provider calls that fires, 0–1.' })
  providerFailureRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of conversations handed off that fires, 0–1.' })
  handoffRate?: number | null;
}

@InputType({ description: 'Route changes per severity; omitted stay, null resets to the default, [] = log only.' })
export class AlertRoutesInput {
  @Field(() => [AlertNotifierEnum], { nullable: true, description: 'Where CRITICAL alerts go.' })
  critical?: AlertNotifierEnum[] | null;

  @Field(() => [AlertNotifierEnum], { nullable: true, description: 'Where WARNING alerts go.' })
  warning?: AlertNotifierEnum[] | null;

  @Field(() => [AlertNotifierEnum], { nullable: true, description: 'Where INFO alerts go.' })
  info?: AlertNotifierEnum[] | null;
}

@InputType({ description: 'Alert settings changes; omitted fields stay, null resets to the default.' })
export class AlertSettingsInput {
  @Field(() => AlertThresholdsInput, { nullable: true, description: 'Threshold changes (null: all defaults).' })
  thresholds?: AlertThresholdsInput | null;

  @Field(() => AlertRoutesInput, { nullable: true, description: 'Routing changes (null: default routes).' })
  routes?: AlertRoutesInput | null;

  @Field(() => [String], { nullable: true, description: 'Email recipients, at least one (null: the default).' })
  emailTo?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Monthly LLM budget in USD, > 0 (null: none).' })
  monthlyBudgetUsd?: number | null;

  @Field(() => [String], { nullable: true, description: 'Rules to switch off (null or []: none).' })
  disabledRules?: string[] | null;
}
