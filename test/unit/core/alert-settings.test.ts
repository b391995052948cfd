import { notificationSeverity } from '../../../src/monitoring/alert-routing';
import { minutesInMonth } from '../../../src/monitoring/alert-rules';
import { DEFAULT_THRESHOLDS, readAlertSettings, routeFor, thresholdsFor } from '../../../src/monitoring/alert-settings';
import type { AlertView } from '../../../src/monitoring/alert-types';
import { pagerDutyAction } from '../../../src/monitoring/pagerduty-notifier';

const view = (overrides: Partial<AlertView>): AlertView => ({
  id: 'a',
  tenantId: 't',
  key: 'k',
  title: 'T',
  severity: 'warning',
  description: null,
  metric: null,
  value: null,
  threshold: null,
  query: null,
  queryUrl: null,
  runbookUrl: null,
  status: 'firing',
  firedAt: new Date('2026-12-01T00:00:00Z'),
  resolvedAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  silencedUntil: null,
  silencedBy: null,
  notifyCount: 1,
  ...overrides,
});

describe('tenant alert settings', () => {
  it.each([
    ['absent', {}, null],
    ['routes and thresholds', { alerts: { routes: { warning: ['slack'] }, rules: { latencyP95Ms: 3000 } } }, null],
    ['an unknown notifier', { alerts: { routes: { critical: ['pager'] } } }, /alerts\.routes\.critical\.0/],
    ['a bad address', { alerts: { email: { to: ['not-an-address'] } } }, /alerts\.email\.to\.0/],
    ['an unknown key', { alerts: { route: {} } }, /route/],
    ['a negative budget', { alerts: { monthlyBudgetUsd: -5 } }, /monthlyBudgetUsd/],
  ])('%s', (_name, settings, error) => {
    const read = readAlertSettings(settings as Record<string, unknown>);
    if (error) expect(read.error).toMatch(error);
    else expect(read.error).toBeNull();
  });

  it('routes by severity with defaults, and overrides thresholds field by field', () => {
    expect(routeFor({}, 'critical')).toEqual(['pagerduty', 'slack', 'email']);
    expect(routeFor({}, 'warning')).toEqual(['slack', 'email']);
    expect(routeFor({}, 'info')).toEqual(['email']);
    expect(routeFor({ routes: { warning: ['slack'] } }, 'warning')).toEqual(['slack']);
    expect(thresholdsFor({ rules: { latencyP95Ms: 3000 } })).toEqual({ ...DEFAULT_THRESHOLDS, latencyP95Ms: 3000 });
  });
});

describe('notification severity and PagerDuty actions', () => {
  it.each([
    [['info'], 'info'],
    [['info', 'warning'], 'warning'],
    [['warning', 'critical', 'info'], 'critical'],
  ] as const)('%j → %s', (severities, expected) => {
    expect(
      notificationSeverity({ tenantId: 't', kind: 'new', alerts: severities.map((severity) => view({ severity })) }),
    ).toBe(expected);
  });

  it.each([
    ['all resolved', [view({ status: 'resolved' })], 'resolve'],
    ['firing, unacknowledged', [view({})], 'trigger'],
    ['firing, acknowledged', [view({ acknowledgedAt: new Date() })], 'acknowledge'],
    ['one acknowledged, one not', [view({ acknowledgedAt: new Date() }), view({ key: 'k2' })], 'trigger'],
    ['acknowledged and resolved', [view({ acknowledgedAt: new Date() }), view({ status: 'resolved' })], 'acknowledge'],
  ] as const)('%s → %s', (_name, alerts, action) => {
    expect(pagerDutyAction([...alerts])).toBe(action);
  });
});

describe('budget pace', () => {
  it.each([
    ['2026-02-10T12:00:00Z', 28 * 1440],
    ['2028-02-29T23:59:00Z', 29 * 1440],
    ['2026-12-31T23:59:59Z', 31 * 1440],
    ['2026-04-01T00:00:00Z', 30 * 1440],
  ])('%s: %i minutes in the month', (at, minutes) => {
    expect(minutesInMonth(new Date(at))).toBe(minutes);
  });
});
