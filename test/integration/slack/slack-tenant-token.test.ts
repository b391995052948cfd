import { HANDOFF_TAKE } from '../../../channels/slack/handoff-blocks';
import { Conversation, Tenant, WorkspacePost } from '../../../src/db/entities';
import { updateTenantSecrets } from '../../../src/tenants/tenant-settings-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeConversationWithTurn, makeTenant } from '../../helpers/factories';
import {
  AGENT,
  BOT_TOKEN,
  HANDOFF_CHANNEL,
  SIGNING_SECRET,
  slackSettings,
  startSlackHarness,
  type SlackHarness,
} from '../../helpers/slack-harness';
import { blockActionPayload, eventually, postInteraction } from '../../helpers/slack-requests';

const OWN_TOKEN = 'xoxb-9999-8888-tenantowntoken';
const ROTATED_TOKEN = 'xoxb-9999-8888-tenantrotatedtoken';

describe("a tenant's own Slack bot token", () => {
  let database: TestDatabase;
  let harness: SlackHarness;
  let ownTenantId: string;
  let sharedTenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = await startSlackHarness(database.orm);
    const em = database.orm.em.fork();
    ownTenantId = (await makeTenant(em, slackSettings(), 'own-token-shop')).id;
    sharedTenantId = (await makeTenant(em, slackSettings(), 'app-token-shop')).id;
    await setToken(OWN_TOKEN);
  });
  afterAll(async () => {
    await harness.close();
    await database.drop();
  });
  beforeEach(() => harness.slack.reset());

  function setToken(token: string | null) {
    return updateTenantSecrets(database.orm.em.fork(), harness.secretBox, {
      tenantId: ownTenantId,
      actor: 'system:test',
      secrets: { slackBotToken: token },
    });
  }

  async function handOff(tenantId: string): Promise<WorkspacePost> {
    const em = database.orm.em.fork();
    const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
    const { conversation } = await makeConversationWithTurn(em, tenant);
    await em.nativeUpdate(Conversation, { id: conversation.id }, { status: 'handed_off', handedOffAt: new Date() });
    harness.events.emit('conversation.handed_off', { tenantId, conversationId: conversation.id, reason: 'test' });
    await harness.app.settled();
    return eventually(
      () => database.orm.em.fork().findOne(WorkspacePost, { purpose: 'handoff', conversation: conversation.id }),
      'handoff post',
    );
  }

  const raise = (tenantId: string, key: string) =>
    harness.alerts.raise({
      tenantId,
      key,
      title: 'Handoff rate above threshold',
      severity: 'warning',
      metric: 'handoff_rate',
      value: 0.3,
      threshold: 0.15,
      query: '{ qualityMetrics { handoffRate } }',
    });

  it("posts a tenant's handoffs and alerts with its own token, and other tenants' with the app's", async () => {
    await handOff(ownTenantId);
    await handOff(sharedTenantId);
    await raise(ownTenantId, 'handoff-rate:own');
    await raise(sharedTenantId, 'handoff-rate:shared');

    const posts = harness.slack.callsOf('chat.postMessage');
    const handoffTokens = posts.filter((call) => call.args.channel === HANDOFF_CHANNEL).map((call) => call.token);
    expect(handoffTokens.sort()).toEqual([OWN_TOKEN, BOT_TOKEN].sort());
    const alertPosts = posts.filter((call) => String(call.args.text).includes('Handoff rate'));
    expect(alertPosts.map((call) => call.token).sort()).toEqual([OWN_TOKEN, BOT_TOKEN].sort());
  });

  it("answers a button pressed on the tenant's post with the tenant's token, and updates the post with it", async () => {
    const post = await handOff(ownTenantId);
    harness.slack.reset();
    const response = await postInteraction(
      harness.url,
      SIGNING_SECRET,
      blockActionPayload({
        actionId: HANDOFF_TAKE,
        value: post.conversation!.id,
        user: AGENT,
        channel: post.channelId,
        messageTs: post.postId,
      }),
    );
    expect(response.status).toBe(200);
    await harness.app.settled();
    const updates = harness.slack.callsOf('chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(new Set(updates.map((call) => call.token))).toEqual(new Set([OWN_TOKEN]));
  });

  it('uses a rotated token from the next post, and the app token again once the tenant removes its own', async () => {
    await setToken(ROTATED_TOKEN);
    await handOff(ownTenantId);
    expect(new Set(harness.slack.callsOf('chat.postMessage').map((call) => call.token))).toEqual(
      new Set([ROTATED_TOKEN]),
    );

    harness.slack.reset();
    await setToken(null);
    await handOff(ownTenantId);
    expect(new Set(harness.slack.callsOf('chat.postMessage').map((call) => call.token))).toEqual(new Set([BOT_TOKEN]));
  });
});
