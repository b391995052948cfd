import fs from 'node:fs';
import path from 'node:path';
import { INBOUND_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { readImportFile } from '../../../src/knowledge/knowledge-file';
import { importArticles } from '../../../src/knowledge/knowledge-import';
import { updateBusinessProfile } from '../../../src/tenants/business-profile';
import { createTenantWithKey } from '../../../src/tenants/tenant-admin';
import { updateWhatsAppSettings } from '../../../src/tenants/whatsapp-settings';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  inboundFields,
  postSigned,
  secretBox,
  startWhatsAppHarness,
  type WhatsAppHarness,
} from '../../helpers/whatsapp-harness';
import { gatewayFor } from '../providers/gateway-helpers';

const ROOT = path.resolve(__dirname, '../../..');
const DATASET = path.resolve(ROOT, '../shared/datasets/customer-support-train.csv');
const KNOWLEDGE = fs.existsSync(DATASET) ? DATASET : path.resolve(ROOT, 'test/fixtures/knowledge-sample.csv');
const NUMBER = 'whatsapp:+14155550199';

describe('a second business put on parley without code answers on WhatsApp with no {{ in its replies', () => {
  let db: TestDatabase;
  let fake: FakeTwilioServer;
  let harness: WhatsAppHarness;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    const { tenant } = await createTenantWithKey(db.orm.em.fork(), { name: 'second-business', actor: 'system:test' });
    await updateWhatsAppSettings(db.orm.em.fork(), secretBox, {
      tenantId: tenant.id,
      actor: 'system:test',
      settings: { numbers: [NUMBER], accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
    });
    await updateBusinessProfile(db.orm.em.fork(), {
      tenantId: tenant.id,
      actor: 'system:test',
      change: {
        supportPhone: '+1 415 555 0199',
        website: 'second.example',
        liveChatUrl: 'https://second.example/chat',
        openingHours: 'Mon–Fri 9:00–17:00',
      },
    });
    const { rows } = await readImportFile(KNOWLEDGE);
    await importArticles(db.orm.em.fork(), { tenantId: tenant.id, actor: 'system:test', rows });
    harness = await startWhatsAppHarness(db.orm, gatewayFor(db).gateway, { twilioUrl: fake.url });
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
    await db?.drop();
  });

  it.each([
    ['whatsapp:+447700900501', 'Where is my order?'],
    ['whatsapp:+447700900502', 'I can no longer afford order 113542617735902'],
    ['whatsapp:+447700900503', 'How do I get a refund, please?'],
    ['whatsapp:+447700900504', 'I want to speak with customer service'],
  ])('%s asks %j', async (from, body) => {
    const response = await postSigned(
      harness.baseUrl,
      INBOUND_PATH,
      inboundFields({ From: from, To: NUMBER, Body: body }),
    );
    expect(response.status).toBe(200);
    await harness.channel.idle();
    const sent = fake.sends.filter((item) => item.to === from);
    expect(sent.length).toBeGreaterThan(0);
    for (const message of sent) expect(message.renderedText).not.toMatch(/\{\{|\}\}/);
    // With the shared dataset: the order number the customer gave and the profile's phone are filled in.
    if (KNOWLEDGE === DATASET && body.includes('113542617735902'))
      expect(sent[0]!.renderedText).toMatch(/113542617735902[\s\S]*\+1 415 555 0199/);
    if (process.env.SHOW_REPLIES)
      process.stdout.write(`${body}\n→ ${sent.map((message) => message.renderedText).join('\n→ ')}\n\n`);
  });
});
