import {
  parseCorrectionSubmission,
  parseQuality,
  parseRejectReason,
  type ViewValues,
} from '../../../channels/slack/correction-modal';
import { handoffBlocks } from '../../../channels/slack/handoff-blocks';
import { alertBlocks } from '../../../channels/slack/slack-alert-notifier';
import { slackConfigFrom } from '../../../channels/slack/slack-config';
import { inReviewSample, readSlackSettings, slackSettingsProblems } from '../../../channels/slack/slack-settings';
import { slackTextToPlain } from '../../../channels/slack/slack-text';
import { loadConfig } from '../../../src/config';
import { ConfigError } from '../../../src/errors';
import type { AlertView } from '../../../src/monitoring/alert-types';

const values = (fields: { corrected?: string; reason?: string; category?: string; quality?: string }): ViewValues => ({
  corrected_reply: { value: { value: fields.corrected ?? null } },
  reason: { value: { value: fields.reason ?? null } },
  category: { value: { selected_option: fields.category ? { value: fields.category } : null } },
  quality: { value: { selected_option: fields.quality ? { value: fields.quality } : null } },
});

describe('Slack text to customer text', () => {
  it.each([
    ['Fish &amp; chips &lt;3 &gt; all', 'Fish & chips <3 > all'],
    ['Track it <https://t.example/1|here>', 'Track it here (https://t.example/1)'],
    ['See <https://t.example/2>', 'See https://t.example/2'],
    ['Mail <mailto:help@shop.example|help@shop.example>', 'Mail help@shop.example'],
    ['Ask <@U123|grace> or <#C42|support>', 'Ask grace or support'],
    ['  padded  ', 'padded'],
  ])('%s → %s', (input, expected) => {
    expect(slackTextToPlain(input)).toBe(expected);
  });
});

describe('correction form', () => {
  it('accepts a complete form and trims it', () => {
    expect(
      parseCorrectionSubmission(
        values({ corrected: '  Better  ', reason: ' why ', category: 'tone', quality: '3' }),
        'Worse',
      ),
    ).toEqual({
      ok: true,
      value: { correctedReply: 'Better', reason: 'why', category: 'tone', qualityScore: 3 },
    });
    expect(parseCorrectionSubmission(values({ corrected: 'Better', category: 'policy' }), 'Worse')).toEqual({
      ok: true,
      value: { correctedReply: 'Better', reason: null, category: 'policy', qualityScore: null },
    });
  });

  it('reports each invalid field under its block id', () => {
    const result = parseCorrectionSubmission(
      values({ corrected: 'Same', category: 'rude', quality: '6', reason: 'x'.repeat(1001) }),
      'Same',
    );
    expect(result.ok).toBe(false);
    expect(Object.keys((result as { errors: Record<string, string> }).errors).sort()).toEqual([
      'category',
      'corrected_reply',
      'quality',
      'reason',
    ]);
    expect(parseCorrectionSubmission(values({ corrected: 'x'.repeat(4001), category: 'other' }), 'y')).toMatchObject({
      ok: false,
      errors: { corrected_reply: expect.stringContaining('4,000') },
    });
  });

  it('approval needs a score 0–5 and rejection a reason', () => {
    expect(parseQuality({ quality: { value: { selected_option: { value: '0' } } } })).toEqual({ ok: true, score: 0 });
    expect(parseQuality({ quality: { value: { selected_option: null } } })).toMatchObject({ ok: false });
    expect(parseRejectReason({ reason: { value: { value: '  ' } } })).toMatchObject({
      ok: false,
      errors: { reason: expect.any(String) },
    });
    expect(parseRejectReason({ reason: { value: { value: ' wrong price ' } } })).toEqual({
      ok: true,
      reason: 'wrong price',
    });
  });
});

describe('tenant Slack settings', () => {
  it('reads the channels.slack block with defaults, falling back to handoffTarget', () => {
    expect(
      readSlackSettings({
        handoffTarget: 'C0TARGET',
        channels: { slack: { reviewChannel: 'C0REVIEW', approvers: ['U0LEAD'] } },
      }),
    ).toEqual({
      handoffChannel: 'C0TARGET',
      reviewChannel: 'C0REVIEW',
      oncallChannel: null,
      approvers: ['U0LEAD'],
      reviewSampleRate: 0.1,
      idleReleaseMinutes: 30,
    });
    expect(readSlackSettings({}).handoffChannel).toBeNull();
  });

  it('drops invalid values and names them', () => {
    const settings = {
      channels: { slack: { handoffChannel: '#support', reviewSampleRate: 3, oncallChannel: 'C0ONCALL' } },
    };
    expect(readSlackSettings(settings)).toMatchObject({
      handoffChannel: null,
      reviewSampleRate: 0.1,
      oncallChannel: 'C0ONCALL',
    });
    expect(slackSettingsProblems(settings).join('\n')).toMatch(/handoffChannel[\s\S]*reviewSampleRate/);
  });

  it('samples deterministically at about the configured rate', () => {
    const ids = Array.from(
      { length: 2000 },
      (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    );
    const picked = ids.filter((id) => inReviewSample(id, 0.25)).length;
    expect(picked).toBeGreaterThan(400);
    expect(picked).toBeLessThan(600);
    expect(ids.filter((id) => inReviewSample(id, 0.25))).toEqual(ids.filter((id) => inReviewSample(id, 0.25)));
    expect(ids.some((id) => inReviewSample(id, 0))).toBe(false);
    expect(ids.every((id) => inReviewSample(id, 1))).toBe(true);
  });
});

describe('Slack configuration', () => {
  const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env }, { dotenvPath: false });

  it('is off without token and secret, and names the missing one when only one is set', () => {
    expect(slackConfigFrom(config({}))).toBeNull();
    expect(() => slackConfigFrom(config({ SLACK_BOT_TOKEN: 'xoxb-1-2-3' }))).toThrow(ConfigError);
    expect(() => slackConfigFrom(config({ SLACK_BOT_TOKEN: 'xoxb-1-2-3' }))).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => slackConfigFrom(config({ SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef0123456789' }))).toThrow(
      /SLACK_BOT_TOKEN/,
    );
    expect(
      slackConfigFrom(
        config({ SLACK_BOT_TOKEN: 'xoxb-1-2-3', SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef0123456789' }),
      ),
    ).toMatchObject({ apiUrl: 'https://slack.com/api/' });
  });

  it('rejects malformed values naming the variable', () => {
    expect(() => config({ SLACK_BOT_TOKEN: 'not-a-token' })).toThrow(/SLACK_BOT_TOKEN/);
    expect(() => config({ SLACK_API_URL: 'http://127.0.0.1:9/api' })).toThrow(/SLACK_API_URL/);
    expect(() => config({ ALERT_REPEAT_HOURS: '0' })).toThrow(/ALERT_REPEAT_HOURS/);
  });
});

describe('Block Kit', () => {
  const alert: AlertView = {
    id: 'a1',
    tenantId: 't1',
    key: 'k',
    title: 'Queue <backlog> & delay',
    severity: 'warning',
    description: null,
    metric: 'queue_depth',
    value: 120,
    threshold: 100,
    query: null,
    queryUrl: null,
    runbookUrl: null,
    status: 'firing',
    firedAt: new Date('2026-11-24T10:00:00Z'),
    resolvedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    silencedUntil: null,
    silencedBy: null,
    notifyCount: 1,
  };

  it('escapes alert text and drops the buttons once resolved', () => {
    const firing = JSON.stringify(alertBlocks(alert));
    expect(firing).toContain('Queue &lt;backlog&gt; &amp; delay');
    expect(firing).toContain('queue_depth: 120 (threshold 100)');
    expect(firing).toContain('alert_acknowledge');
    const resolved = JSON.stringify(
      alertBlocks({ ...alert, status: 'resolved', resolvedAt: new Date('2026-11-24T11:00:00Z') }),
    );
    expect(resolved).not.toContain('alert_acknowledge');
    expect(resolved).toContain('resolved');
  });

  it('shows Take it only until someone takes the handoff, and no buttons once released', () => {
    const view = {
      conversationId: 'c1',
      customer: 'Ada',
      channel: 'whatsapp',
      reason: 'asked for a human',
      handedOffAt: new Date(),
      messages: [{ author: 'customer' as const, text: 'help' }],
      assignee: null,
      released: null,
    };
    expect(JSON.stringify(handoffBlocks(view))).toContain('handoff_take');
    expect(JSON.stringify(handoffBlocks({ ...view, assignee: 'slack:U1' }))).not.toContain('handoff_take');
    expect(JSON.stringify(handoffBlocks({ ...view, released: { by: 'slack:U1', at: new Date() } }))).not.toContain(
      'handoff_release',
    );
  });
});
