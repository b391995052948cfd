import { Alert } from '../../../src/db/entities';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import {
  AGENT,
  ONCALL_CHANNEL,
  SIGNING_SECRET,
  slackSettings,
  startSlackHarness,
  type SlackHarness,
} from '../../helpers/slack-harness';
import { blockActionPayload, postInteraction } from '../../helpers/slack-requests';

type Block = {
  type: string;
  text?: { text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ action_id?: string; text?: unknown }>;
};
const blockText = (blocks: unknown[]) => JSON.stringify(blocks);
const actionIds = (blocks: unknown[]) =>
  (blocks as Block[]).flatMap((block) =>
    block.type === 'actions' ? (block.elements ?? []).map((element) => element.action_id) : [],
  );

describe('alerts delivered to Slack', () => {
  let database: TestDatabase;
  let harness: SlackHarness;
  let tenantId: string;
  let clock: Date;

  beforeAll(async () => {
    database = await createTestDatabase();
    clock = new Date();
    harness = await startSlackHarness(database.orm, { alerts: { now: () => clock } });
    tenantId = (await makeTenant(database.orm.em.fork(), slackSettings(), 'slack-alerts-shop')).id;
  });
  afterAll(async () => {
    await harness.close();
    await database.drop();
  });
  beforeEach(async () => {
    harness.slack.reset();
    await database.orm.em.fork().nativeDelete(Alert, {});
    clock = new Date(clock.getTime() + 60 * 60_000);
  });

  const raise = (key = 'provider-failure-rate:openai') =>
    harness.alerts.raise({
      tenantId,
      key,
      title: 'OpenAI failure rate above threshold',
      severity: 'critical',
      metric: 'provider_failure_rate',
      value: 0.62,
      threshold: 0.5,
      query: '{ providerHealth { provider failureRate } }',
    });

  it('posts one Block Kit message per alert key to the on-call channel, with metric, threshold, since, query link and buttons', async () => {
    await raise();
    await raise();
    const posts = harness.slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(1);
    const { args, token } = posts[0]!;
    expect(token).toBe('xoxb-1111-2222-parleytesttoken');
    expect(args.channel).toBe(ONCALL_CHANNEL);
    const text = blockText(args.blocks as unknown[]);
    expect(text).toContain('OpenAI failure rate above threshold');
    expect(text).toContain('critical');
    expect(text).toContain('provider_failure_rate: 0.62 (threshold 0.5)');
    expect(text).toContain(`<!date^${Math.floor(clock.getTime() / 1000)}^`);
    expect(text).toContain(
      `https://parley.test/graphql#query=${encodeURIComponent('{ providerHealth { provider failureRate } }')}`,
    );
    expect(actionIds(args.blocks as unknown[])).toEqual(['alert_acknowledge', 'alert_silence']);
  });

  it('updates the same message with chat.update when the alert resolves', async () => {
    await raise();
    const posted = harness.slack.callsOf('chat.postMessage')[0]!;
    const ts = [...harness.slack.messages.values()][0]!.ts;
    await harness.alerts.resolve(tenantId, 'provider-failure-rate:openai');
    const updates = harness.slack.callsOf('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args).toMatchObject({ channel: posted.args.channel, ts });
    expect(blockText(updates[0]!.args.blocks as unknown[])).toContain('resolved');
    expect(actionIds(updates[0]!.args.blocks as unknown[])).toEqual([]);
  });

  it('groups alerts of one tenant fired within 30 seconds into one message', async () => {
    await raise('a');
    clock = new Date(clock.getTime() + 10_000);
    await raise('b');
    expect(harness.slack.callsOf('chat.postMessage')).toHaveLength(1);
    const message = [...harness.slack.messages.values()][0]!;
    expect(message.text).toBe('2 alerts (2 firing)');
    expect(actionIds(message.blocks)).toEqual([
      'alert_acknowledge',
      'alert_silence',
      'alert_acknowledge',
      'alert_silence',
    ]);
  });

  it('Acknowledge and Silence 1h buttons record who pressed them and update the message', async () => {
    const { alert } = await raise();
    const message = [...harness.slack.messages.values()][0]!;
    const press = (actionId: string) =>
      postInteraction(
        harness.url,
        SIGNING_SECRET,
        blockActionPayload({ actionId, value: alert.id, user: AGENT, channel: message.channel, messageTs: message.ts }),
      );

    expect((await press('alert_acknowledge')).status).toBe(200);
    let stored = await database.orm.em.fork().findOneOrFail(Alert, { id: alert.id });
    expect(stored.acknowledgedBy).toBe(`slack:${AGENT}`);
    expect(blockText(message.blocks)).toContain(`Acknowledged by <@${AGENT}>`);
    expect(actionIds(message.blocks)).toEqual(['alert_silence']);

    expect((await press('alert_silence')).status).toBe(200);
    stored = await database.orm.em.fork().findOneOrFail(Alert, { id: alert.id });
    expect(stored.silencedBy).toBe(`slack:${AGENT}`);
    expect(stored.silencedUntil!.getTime() - clock.getTime()).toBe(60 * 60_000);
    expect(blockText(message.blocks)).toContain('Silenced by');

    // Silenced: resolving and firing again within the hour sends nothing new.
    await harness.alerts.resolve(tenantId, 'provider-failure-rate:openai');
    clock = new Date(clock.getTime() + 10 * 60_000);
    expect((await raise()).outcome).toBe('silenced');
    expect(harness.slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('a button on a message that does not show the alert changes nothing and tells the user', async () => {
    const { alert } = await raise();
    const response = await postInteraction(
      harness.url,
      SIGNING_SECRET,
      blockActionPayload({
        actionId: 'alert_acknowledge',
        value: alert.id,
        user: AGENT,
        channel: ONCALL_CHANNEL,
        messageTs: '1.000009',
      }),
    );
    expect(response.status).toBe(200);
    expect((await database.orm.em.fork().findOneOrFail(Alert, { id: alert.id })).acknowledgedAt).toBeNull();
    expect(harness.slack.callsOf('chat.postEphemeral')[0]!.args).toMatchObject({
      user: AGENT,
      channel: ONCALL_CHANNEL,
    });
  });

  it('a Slack API failure is recorded on the alert and retried on the next raise', async () => {
    harness.slack.inject('chat.postMessage', { kind: 'error', error: 'channel_not_found' });
    await raise();
    expect(
      (await database.orm.em.fork().findOneOrFail(Alert, { key: 'provider-failure-rate:openai' })).notifyError,
    ).toContain('channel_not_found');
    expect((await raise()).outcome).toBe('notified');
    expect(harness.slack.messages.size).toBe(1);
  });

  it('survives Slack rate limits and server errors: the Web API client retries, honouring Retry-After', async () => {
    const resilient = await startSlackHarness(database.orm, { retries: 2, alerts: { now: () => clock } });
    try {
      resilient.slack.inject('chat.postMessage', { kind: 'status', status: 429, retryAfterSeconds: 0 });
      const { outcome } = await resilient.alerts.raise({
        tenantId,
        key: 'rate-limited',
        title: 'Rate limited once',
        severity: 'info',
      });
      expect(outcome).toBe('notified');
      expect(resilient.slack.callsOf('chat.postMessage')).toHaveLength(2);
      expect(resilient.slack.messages.size).toBe(1);
      resilient.slack.inject('chat.update', { kind: 'status', status: 500 });
      await resilient.alerts.resolve(tenantId, 'rate-limited');
      expect(resilient.slack.callsOf('chat.update')).toHaveLength(2);
      expect(JSON.stringify([...resilient.slack.messages.values()][0]!.blocks)).toContain('resolved');
    } finally {
      await resilient.close();
    }
  });
});
