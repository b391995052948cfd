import { Alert, AuditLog, Conversation, Tenant } from '../../../src/db/entities';
import { makeConversationWithTurn, makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import {
  AGENT,
  HANDOFF_CHANNEL,
  ONCALL_CHANNEL,
  SIGNING_SECRET,
  slackSettings,
  startSlackHarness,
  type SlackHarness,
} from '../../helpers/slack-harness';
import {
  blockActionPayload,
  eventually,
  postCommand,
  postEvent,
  postInteraction,
  slackSignature,
  viewSubmissionPayload,
} from '../../helpers/slack-requests';

describe('Slack requests: signature checks and /parley', () => {
  let database: TestDatabase;
  let harness: SlackHarness;
  let tenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = await startSlackHarness(database.orm);
    const tenant = await makeTenant(database.orm.em.fork(), slackSettings(), 'slack-requests-shop');
    tenantId = tenant.id;
  });
  afterAll(async () => {
    await harness.close();
    await database.drop();
  });
  beforeEach(() => harness.slack.reset());

  it("answers Slack's URL verification challenge when signed", async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'challenge-123', type: 'url_verification' });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(harness.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body),
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'challenge-123' });
  });

  it('rejects forged, stale and unsigned requests with 401 and changes nothing', async () => {
    const em = database.orm.em.fork();
    const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
    const { conversation } = await makeConversationWithTurn(em, tenant);
    conversation.status = 'handed_off';
    await em.flush();
    const { alert } = await harness.alerts.raise({
      tenantId,
      key: 'signature-test',
      title: 'Signature test',
      severity: 'warning',
    });
    const [channel, ts] = (await em.findOneOrFail(Alert, { id: alert.id })).notificationRefs.slack!.split(':');
    harness.slack.reset();

    const release = blockActionPayload({
      actionId: 'handoff_release',
      value: conversation.id,
      user: AGENT,
      channel: HANDOFF_CHANNEL,
      messageTs: '1.000001',
    });
    const acknowledge = blockActionPayload({
      actionId: 'alert_acknowledge',
      value: alert.id,
      user: AGENT,
      channel: channel!,
      messageTs: ts!,
    });

    const forged = await postInteraction(harness.url, 'b'.repeat(32), acknowledge);
    expect(forged.status).toBe(401);
    const tampered = await postInteraction(harness.url, SIGNING_SECRET, acknowledge, {
      signature: 'v0=' + '0'.repeat(64),
    });
    expect(tampered.status).toBe(401);
    const stale = await postInteraction(harness.url, SIGNING_SECRET, acknowledge, {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(harness.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `payload=${encodeURIComponent(JSON.stringify(release))}`,
    });
    expect(unsigned.status).toBe(401);
    const forgedEvent = await postEvent(harness.url, 'c'.repeat(32), {
      type: 'message',
      channel: HANDOFF_CHANNEL,
      user: AGENT,
      text: 'hi',
      ts: '2.000001',
      thread_ts: '1.000001',
    });
    expect(forgedEvent.status).toBe(401);

    const fresh = database.orm.em.fork();
    expect((await fresh.findOneOrFail(Alert, { id: alert.id })).acknowledgedAt).toBeNull();
    expect((await fresh.findOneOrFail(Conversation, { id: conversation.id })).status).toBe('handed_off');
    expect(await fresh.count(AuditLog, { action: 'conversation.release' })).toBe(0);
    expect(harness.slack.calls).toHaveLength(0);

    // The same acknowledgement, correctly signed, goes through.
    const signed = await postInteraction(harness.url, SIGNING_SECRET, acknowledge);
    expect(signed.status).toBe(200);
    expect((await database.orm.em.fork().findOneOrFail(Alert, { id: alert.id })).acknowledgedBy).toBe(`slack:${AGENT}`);
  });

  it('/parley help, status and handoffs answer ephemerally with the tenant of the channel', async () => {
    const help = await postCommand(harness.url, SIGNING_SECRET, {
      channel_id: ONCALL_CHANNEL,
      user_id: AGENT,
      text: 'help',
    });
    expect(help.status).toBe(200);
    expect(help.json).toMatchObject({ response_type: 'ephemeral' });
    expect((help.json as { text: string }).text).toContain('/parley status');

    const status = await postCommand(harness.url, SIGNING_SECRET, {
      channel_id: ONCALL_CHANNEL,
      user_id: AGENT,
      text: 'status',
    });
    const statusText = (status.json as { text: string }).text;
    expect(statusText).toContain('slack-requests-shop');
    expect(statusText).toMatch(/Conversations with a human: \*\d+\*/);
    expect(statusText).toMatch(/Firing alerts: \*[1-9]/);

    const handoffs = await postCommand(harness.url, SIGNING_SECRET, {
      channel_id: HANDOFF_CHANNEL,
      user_id: AGENT,
      text: 'handoffs',
    });
    expect((handoffs.json as { text: string }).text).toContain('Conversations with a human (1)');

    const unknown = await postCommand(harness.url, SIGNING_SECRET, {
      channel_id: HANDOFF_CHANNEL,
      user_id: AGENT,
      text: 'dance',
    });
    expect((unknown.json as { text: string }).text).toContain('Unknown command');
  });

  it('in production mode (acknowledge first, work after) buttons and modal errors behave the same', async () => {
    const production = await startSlackHarness(database.orm, {
      processBeforeResponse: false,
      alerts: { groupWindowSeconds: 0 },
    });
    try {
      const { alert } = await production.alerts.raise({
        tenantId,
        key: 'production-mode',
        title: 'Production mode',
        severity: 'info',
      });
      // The new app also posts the handoff it finds on start-up: take the on-call message.
      const message = [...production.slack.messages.values()].find((posted) => posted.channel === ONCALL_CHANNEL)!;
      const pressed = await postInteraction(
        production.url,
        SIGNING_SECRET,
        blockActionPayload({
          actionId: 'alert_acknowledge',
          value: alert.id,
          user: AGENT,
          channel: message.channel,
          messageTs: message.ts,
        }),
      );
      expect(pressed.status).toBe(200);
      await eventually(
        async () =>
          (await database.orm.em.fork().findOneOrFail(Alert, { id: alert.id })).acknowledgedBy === `slack:${AGENT}`,
        'acknowledgement',
      );
      await eventually(() => production.slack.callsOf('chat.update').length === 1, 'message update');

      const submitted = await postInteraction(
        production.url,
        SIGNING_SECRET,
        viewSubmissionPayload({
          callbackId: 'correction_reject_modal',
          user: AGENT,
          privateMetadata: JSON.stringify({ card: '00000000-0000-4000-8000-000000000000' }),
          values: { reason: { value: { value: 'x' } } },
        }),
      );
      expect(submitted.json).toEqual({
        response_action: 'errors',
        errors: { reason: 'This correction no longer exists.' },
      });
    } finally {
      await production.close();
    }
  });
});
