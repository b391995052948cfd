import { gql } from './client';
import type { PageInfo } from './operations';

/** The Alerts page's operations: the alerts list, acknowledge / silence, and the alert settings. */
export type AlertSeverity = 'CRITICAL' | 'WARNING' | 'INFO';
export type AlertStatus = 'FIRING' | 'RESOLVED';
export type AlertNotifier = 'SLACK' | 'EMAIL' | 'PAGERDUTY';

export interface Alert {
  id: string;
  key: string;
  rule: string;
  title: string;
  severity: AlertSeverity;
  status: AlertStatus;
  description: string | null;
  metric: string | null;
  value: number | null;
  threshold: number | null;
  runbookUrl: string | null;
  firedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  silenced: boolean;
  silencedUntil: string | null;
  silencedBy: string | null;
  silenceReason: string | null;
  notifyCount: number;
  notifyError: string | null;
}
const ALERT_FIELDS = `id key rule title severity status description metric value threshold runbookUrl firedAt lastSeenAt
  resolvedAt acknowledgedBy acknowledgedAt silenced silencedUntil silencedBy silenceReason notifyCount notifyError`;

export interface AlertFilter {
  status?: AlertStatus;
  severity?: AlertSeverity;
  rule?: string;
}

export const ALERTS = gql<
  { alerts: { totalCount: number; pageInfo: PageInfo; nodes: Alert[] } },
  { first: number; after?: string | null; filter: AlertFilter }
>(`query Alerts($first: Int, $after: String, $filter: AlertFilterInput) {
  alerts(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { ${ALERT_FIELDS} }
  }
}`);

export const ACKNOWLEDGE_ALERT = gql<{ acknowledgeAlert: Alert }, { id: string }>(
  `mutation AcknowledgeAlert($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT_FIELDS} } }`,
);

export const SILENCE_ALERT = gql<{ silenceAlert: Alert }, { id: string; minutes: number; reason: string }>(
  `mutation SilenceAlert($id: ID!, $minutes: Int!, $reason: String!) {
  silenceAlert(id: $id, minutes: $minutes, reason: $reason) { ${ALERT_FIELDS} }
}`,
);

export const UNSILENCE_ALERT = gql<{ unsilenceAlert: Alert }, { id: string }>(
  `mutation UnsilenceAlert($id: ID!) { unsilenceAlert(id: $id) { ${ALERT_FIELDS} } }`,
);

export interface AlertThreshold {
  name: string;
  value: number;
  defaultValue: number;
  custom: boolean;
  description: string;
}
export interface AlertRoute {
  severity: AlertSeverity;
  notifiers: AlertNotifier[];
  defaults: AlertNotifier[];
  custom: boolean;
}
export interface AlertSettings {
  thresholds: AlertThreshold[];
  routes: AlertRoute[];
  emailTo: string[] | null;
  pagerDutyRoutingKeySet: boolean;
  monthlyBudgetUsd: number | null;
  disabledRules: string[];
  rules: string[];
  problem: string | null;
  updatedAt: string;
}
export interface AlertSettingsInput {
  thresholds?: Record<string, number | null>;
  routes?: Partial<Record<'critical' | 'warning' | 'info', AlertNotifier[] | null>>;
  emailTo?: string[] | null;
  monthlyBudgetUsd?: number | null;
  disabledRules?: string[] | null;
}
const SETTINGS_FIELDS = `thresholds { name value defaultValue custom description }
  routes { severity notifiers defaults custom }
  emailTo pagerDutyRoutingKeySet monthlyBudgetUsd disabledRules rules problem updatedAt`;

export const ALERT_SETTINGS = gql<{ alertSettings: AlertSettings }>(
  `query AlertSettings { alertSettings { ${SETTINGS_FIELDS} } }`,
);

export const UPDATE_ALERT_SETTINGS = gql<{ updateAlertSettings: AlertSettings }, { input: AlertSettingsInput }>(
  `mutation UpdateAlertSettings($input: AlertSettingsInput!) { updateAlertSettings(input: $input) { ${SETTINGS_FIELDS} } }`,
);

export const ALERT_OPERATIONS = {
  ALERTS,
  ACKNOWLEDGE_ALERT,
  SILENCE_ALERT,
  UNSILENCE_ALERT,
  ALERT_SETTINGS,
  UPDATE_ALERT_SETTINGS,
};
