import { setSlackSettings } from '../../../channels/slack/slack-settings';
import { AuditLog, Tenant } from '../../../src/db/entities';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

describe("setting a tenant's Slack settings", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('merges valid values, keeps other channel bindings, removes nulls and audits the change', async () => {
    const tenant = await makeTenant(database.orm.em.fork(), {
      channels: { whatsapp: { numbers: ['whatsapp:+1'] }, slack: { oncallChannel: 'C0OLD' } },
    });
    const result = await setSlackSettings(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor: 'system:cli',
      change: { handoffChannel: 'C0HAND', approvers: ['U0LEAD'], oncallChannel: null, idleReleaseMinutes: 15 },
    });
    expect(result).toMatchObject({
      handoffChannel: 'C0HAND',
      oncallChannel: null,
      approvers: ['U0LEAD'],
      idleReleaseMinutes: 15,
    });
    const stored = await database.orm.em.fork().findOneOrFail(Tenant, { id: tenant.id });
    expect(stored.settings.channels).toEqual({
      whatsapp: { numbers: ['whatsapp:+1'] },
      slack: { handoffChannel: 'C0HAND', approvers: ['U0LEAD'], idleReleaseMinutes: 15 },
    });
    expect(
      await database.orm.em
        .fork()
        .count(AuditLog, { tenant: tenant.id, action: 'tenant.settings.slack.update', actor: 'system:cli' }),
    ).toBe(1);
  });

  it('rejects a bad value naming the field and changes nothing', async () => {
    const tenant = await makeTenant(database.orm.em.fork(), {});
    await expect(
      setSlackSettings(database.orm.em.fork(), {
        tenantId: tenant.id,
        actor: 'system:cli',
        change: { handoffChannel: '#general' },
      }),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('handoffChannel'),
    });
    await expect(
      setSlackSettings(database.orm.em.fork(), {
        tenantId: tenant.id,
        actor: 'system:cli',
        change: { reviewSampleRate: 2 },
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await database.orm.em.fork().findOneOrFail(Tenant, { id: tenant.id })).settings).toEqual({});
  });
});
