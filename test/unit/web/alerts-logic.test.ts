import {
  alertState,
  describeValue,
  fieldErrors,
  formatMetric,
  parseRecipients,
  thresholdChanges,
} from '../../../web/src/lib/alerts';

describe('alert figures in their units', () => {
  it('shows each rule metric in its unit, threshold next to the value', () => {
    expect(formatMetric('reply_latency_p95_ms', 7200)).toBe('7.2 s');
    expect(formatMetric('provider_failure_rate', 0.4)).toBe('40.0%');
    expect(formatMetric('llm_spend_usd_per_window', 1.5)).toBe('$1.50');
    expect(formatMetric('reply_quality_score', 0.71234)).toBe('0.712');
    expect(formatMetric(null, null)).toBe('—');
    expect(describeValue({ metric: 'handoff_rate', value: 0.5, threshold: 0.25 })).toBe('50.0% (threshold 25.0%)');
    expect(describeValue({ metric: 'handoff_rate', value: 0.5, threshold: null })).toBe('50.0%');
  });

  it('names the state: resolved wins, then silenced, then acknowledged', () => {
    expect(alertState({ status: 'RESOLVED', silenced: true, acknowledgedAt: 'x' })).toBe('resolved');
    expect(alertState({ status: 'FIRING', silenced: true, acknowledgedAt: 'x' })).toBe('silenced');
    expect(alertState({ status: 'FIRING', silenced: false, acknowledgedAt: 'x' })).toBe('acknowledged');
    expect(alertState({ status: 'FIRING', silenced: false, acknowledgedAt: null })).toBe('firing');
  });
});

describe('the thresholds form', () => {
  const current = [
    { name: 'latencyP95Ms', value: 5000, custom: false },
    { name: 'handoffRate', value: 0.3, custom: true },
    { name: 'windowMinutes', value: 15, custom: false },
  ];

  it('sends only changed numbers, null for an emptied custom value, and reports text that is no number', () => {
    expect(thresholdChanges(current, { latencyP95Ms: '5000', handoffRate: '0.3', windowMinutes: '15' })).toEqual({
      changes: {},
      errors: {},
    });
    expect(thresholdChanges(current, { latencyP95Ms: ' 8000 ', handoffRate: '', windowMinutes: '' })).toEqual({
      changes: { latencyP95Ms: 8000, handoffRate: null },
      errors: {},
    });
    expect(thresholdChanges(current, { latencyP95Ms: 'fast', handoffRate: '-1' })).toEqual({
      changes: { handoffRate: -1 },
      errors: { 'thresholds.latencyP95Ms': 'Enter a number' },
    });
  });

  it('splits the API refusal into messages per field', () => {
    expect(
      fieldErrors(
        'thresholds.windowMinutes: Number must be greater than or equal to 1; thresholds.windowMinutes: Expected integer; emailTo: Invalid email',
      ),
    ).toEqual({
      fields: {
        'thresholds.windowMinutes': 'Number must be greater than or equal to 1; Expected integer',
        emailTo: 'Invalid email',
      },
      general: null,
    });
    expect(fieldErrors('Tenant x was not found')).toEqual({ fields: {}, general: 'Tenant x was not found' });
  });

  it('reads recipients separated by commas or spaces; none means the default', () => {
    expect(parseRecipients(' a@x.test, b@x.test  c@x.test ')).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
    expect(parseRecipients('  ')).toBeNull();
  });
});
