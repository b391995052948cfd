import pino from 'pino';
import { INBOUND_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { businessMetrics, businessValuesFrom } from '../../../src/analytics/business-metrics';
import {
  DEFAULT_SURVEY_QUESTION,
  DEFAULT_SURVEY_THANKS,
  ratingOf,
  surveySettings,
} from '../../../src/business/csat-survey';
import { runJob } from '../../../src/jobs';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { ScriptedGateway } from '../../helpers/scripted-gateway';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  createWhatsAppTenant,
  inboundFields,
  postSigned,
  startWhatsAppHarness,
  type WhatsAppHarness,
} from '../../helpers/whatsapp-harness';

describe('end-of-conversation CSAT survey on WhatsApp (Chatwoot pattern): asked by a job, answered 1–5, recorded by the engine', () => {
  let db: TestDatabase;
  let fake: FakeTwilioServer;
  let gateway: ScriptedGateway;
  let harness: WhatsAppHarness;
  let tenantId: string;
  const from = 'whatsapp:+447700900555';

  const send = async (body: string) => {
    await postSigned(harness.baseUrl, INBOUND_PATH, inboundFields({ From: from, Body: body }));
    await harness.channel.idle();
  };
  const heard = () => fake.sends.filter((item) => item.to === from).map((item) => item.body ?? item.renderedText);
  const survey = (minutesLater: number) =>
    runJob('csat-survey', {
      orm: db.orm,
      logger: pino({ level: 'silent' }),
      retentionDays: 90,
      cleanupBatchSize: 1000,
      customers: harness.registry,
      now: () => new Date(Date.now() + minutesLater * 60_000),
    });
  const surveys = () =>
    db.orm.em
      .fork()
      .getConnection()
      .execute<{ score: number | null; message_id: string | null }[]>(
        'select score, message_id from csat_survey where tenant_id = ? order by asked_at',
        [tenantId],
      );

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    gateway = new ScriptedGateway();
    tenantId = await createWhatsAppTenant(db.orm, {
      settings: { feedbackPromptFrequency: 'never', csatSurvey: { enabled: true, afterIdleMinutes: 30 } },
    });
    harness = await startWhatsAppHarness(db.orm, gateway, { twilioUrl: fake.url });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
    await db?.drop();
  });

  it('asks once after the quiet time, records the rating without asking the model, and counts it in CSAT', async () => {
    gateway.enqueue({ text: 'Your parcel ships tomorrow.' });
    await send('When will my parcel ship?');
    expect(heard()).toEqual(['Your parcel ships tomorrow.']);

    // Not yet quiet for 30 minutes: nothing is asked.
    const early = await survey(10);
    expect(early.ran && early.result).toEqual({ asked: [], failed: [] });
    const due = await survey(31);
    expect(due.ran && (due.result as { asked: string[] }).asked).toHaveLength(1);
    expect(heard().at(-1)).toBe(DEFAULT_SURVEY_QUESTION);
    // A second run asks nothing more.
    const again = await survey(32);
    expect((again as { result: { asked: string[] } }).result.asked).toEqual([]);

    const calls = gateway.requests.length;
    await send('4');
    expect(gateway.requests.length).toBe(calls); // recorded, not answered by the model
    expect(heard().at(-1)).toBe(DEFAULT_SURVEY_THANKS);
    const [row] = await surveys();
    expect(row!.score).toBe(4);
    expect(row!.message_id).not.toBeNull();

    // The survey is answered: a later "5" is an ordinary message, answered by the bot.
    await send('5');
    expect(gateway.requests.length).toBe(calls + 1);
    expect((await surveys()).map((entry) => entry.score)).toEqual([4]);
    // Not asked again within 24 hours of the first survey, even after another quiet spell.
    expect(((await survey(120)) as { result: { asked: string[] } }).result.asked).toEqual([]);

    const metrics = await businessMetrics(db.orm.em.fork(), {
      tenantId,
      range: { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) },
      values: businessValuesFrom({}),
    });
    expect(metrics.totals).toMatchObject({
      surveysAsked: 1,
      surveyResponses: 1,
      surveyAverageScore: 4,
      surveyCsat: 1,
      csat: 1,
      ratedConversations: 1,
    });
  });

  it('reads ratings and settings strictly', () => {
    expect(['4', ' 5 ', '3/5', '2 stars', '1.', '⭐⭐⭐'].map(ratingOf)).toEqual([4, 5, 3, 2, 1, 3]);
    expect(['6', '0', '45', 'four', 'order 4', ''].map(ratingOf)).toEqual([null, null, null, null, null, null]);
    expect(surveySettings({ csatSurvey: { enabled: true } })).toMatchObject({
      afterIdleMinutes: 30,
      channels: ['whatsapp'],
    });
    expect(surveySettings({ csatSurvey: { enabled: false } })).toBeNull();
    expect(surveySettings({ csatSurvey: { enabled: true, afterIdleMinutes: -1 } })).toBeNull();
    expect(surveySettings({})).toBeNull();
  });
});
