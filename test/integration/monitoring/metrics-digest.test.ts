import pino from 'pino';
import { runJob } from '../../../src/jobs';
import { createDigestMailer, digestRange } from '../../../src/monitoring/metrics-digest';
import { createTenant } from '../../../src/tenants/tenant-service';
import { startFakeSmtpServer, type FakeSmtpServer } from '../../fakes/fake-smtp-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { seedConversation } from '../../helpers/analytics-seed';

describe('metrics-digest job: daily and weekly summaries to the email route, through a real SMTP server', () => {
  let database: TestDatabase;
  let smtp: FakeSmtpServer;
  let digestTenant: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startFakeSmtpServer();
    const em = () => database.orm.em.fork();
    digestTenant = (
      await createTenant(em(), { name: 'digest-shop', settings: { alerts: { email: { to: ['lead@shop.test'] } } } })
    ).id;
    // Info alerts routed away from email: no digest.
    const quiet = (
      await createTenant(em(), {
        name: 'digest-quiet',
        settings: { alerts: { email: { to: ['x@quiet.test'] }, routes: { info: [] } } },
      })
    ).id;
    // Sunday 6 December 2026: two conversations, one resolved with a 👍, one handed off. The day before: one resolved.
    await seedConversation(em(), digestTenant, {
      at: '2026-12-06T10:00:00Z',
      replies: [{ costUsd: 0.02, helpful: true }],
    });
    await seedConversation(em(), digestTenant, {
      at: '2026-12-06T11:00:00Z',
      replies: [{ costUsd: 0.02 }],
      handedOffAt: '2026-12-06T11:01:00Z',
    });
    await seedConversation(em(), digestTenant, { at: '2026-12-05T10:00:00Z', replies: [{ costUsd: 0.01 }] });
    await seedConversation(em(), quiet, { at: '2026-12-06T10:00:00Z', replies: [{ costUsd: 0.02 }] });
  });
  afterAll(async () => {
    await smtp?.close();
    await database?.drop();
  });

  it('covers the previous UTC day, and on Mondays also the previous week', () => {
    const monday = new Date('2026-12-07T07:00:00Z');
    expect(digestRange('day', monday)).toEqual({
      from: new Date('2026-12-06T00:00:00Z'),
      to: new Date('2026-12-07T00:00:00Z'),
    });
    expect(digestRange('week', monday).from).toEqual(new Date('2026-11-30T00:00:00Z'));
  });

  it('emails the tenants whose info alerts route to email, with hand-checkable figures and changes', async () => {
    const mailer = createDigestMailer({ smtpUrl: smtp.url, from: 'parley@ops.test' });
    try {
      const outcome = await runJob('metrics-digest', {
        orm: database.orm,
        logger: pino({ level: 'silent' }),
        retentionDays: 90,
        cleanupBatchSize: 1000,
        digestMailer: mailer,
        digestDefaultTo: ['fallback@ops.test'],
        now: () => new Date('2026-12-07T07:00:00Z'), // a Monday
      });
      expect(outcome.ran).toBe(true);
      const subjects = smtp.emails.map((email) => email.header('subject'));
      expect(subjects).toEqual([
        '[parley] Daily metrics: digest-shop, 2026-12-06',
        '[parley] Weekly metrics: digest-shop, 2026-11-30',
      ]);
      expect(smtp.emails.every((email) => email.to.join() === 'lead@shop.test')).toBe(true);
      const daily = smtp.emails[0]!.text;
      expect(daily).toContain('Conversations: 2, bot replies: 2');
      // 1 of 2 resolved (the other handed off); yesterday 1 of 1: −50 pp.
      expect(daily).toContain('Resolution rate: 50.0 % (−50.0 pp)');
      expect(daily).toContain('Handoff rate: 50.0 % (+50.0 pp) (target < 15.0 %)');
      expect(daily).toContain('Positive feedback: 100.0 %');
      expect(daily).toContain('LLM cost: $0.0400; per conversation $0.0200 (+$0.0100)');
      expect(smtp.emails[1]!.text).toContain('Conversations: 3, bot replies: 3');
    } finally {
      mailer.close();
    }
  });

  it('is skipped without an SMTP server', async () => {
    const outcome = await runJob('metrics-digest', {
      orm: database.orm,
      logger: pino({ level: 'silent' }),
      retentionDays: 90,
      cleanupBatchSize: 1000,
    });
    expect(outcome.ran && outcome.result).toEqual({ skipped: 'no SMTP server (set ALERT_SMTP_URL)' });
  });
});
