import crypto from 'node:crypto';
import { AuditLog, Tenant } from '../../../src/db/entities';
import { addFineTunedModelToCatalogue } from '../../../src/learning/fine-tuning/fine-tuning-validation';
import { setFineTuningSettings } from '../../../src/learning/fine-tuning/fine-tuning-settings-service';
import { updateAlertSettings } from '../../../src/monitoring/alert-settings-service';
import { SecretBox } from '../../../src/security/secret-box';
import { updateBusinessProfile } from '../../../src/tenants/business-profile';
import { setSlackSettings } from '../../../src/tenants/slack-settings';
import { readTenantSecrets } from '../../../src/tenants/tenant-service';
import { updateTenantSecrets, updateTenantSettings } from '../../../src/tenants/tenant-settings-service';
import { updateWhatsAppSettings } from '../../../src/tenants/whatsapp-settings';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/**
 * `tenant.settings` is one jsonb column that every settings area lives in:
 * saves of different areas (and of different keys of one area) that run at
 * the same time, each on its own connection, must all survive.
 */
describe('concurrent saves of tenant settings', () => {
  const ROUNDS = 4;
  const box = new SecretBox(crypto.randomBytes(32));
  let database: TestDatabase;
  beforeAll(async () => {
    // Every save of a round holds its own connection while it waits for the row lock.
    database = await createTestDatabase({ poolMax: 12 });
  });
  afterAll(async () => {
    await database.drop();
  });

  const fork = () => database.orm.em.fork();

  it('keeps every change when every settings area is saved at once, round after round', async () => {
    const tenant = await makeTenant(fork(), { channels: { slack: { reviewChannel: 'C0REVIEW' } } });
    const tenantId = tenant.id;
    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all([
        updateTenantSettings(fork(), box, {
          tenantId,
          actor: 'apikey:operator-a',
          change: { systemPrompt: `Prompt ${round}`, routing: { longContextTokens: 10_000 + round } },
        }),
        updateBusinessProfile(fork(), {
          tenantId,
          actor: 'apikey:operator-b',
          change: { companyName: `Shop ${round}`, values: { [`Code ${round}`]: `A${round}` } },
        }),
        // A second operator on the same area, another key: merged, not overwritten.
        updateBusinessProfile(fork(), {
          tenantId,
          actor: 'apikey:operator-c',
          change: { openingHours: `Mon–Fri ${round}`, values: { [`Extra ${round}`]: `B${round}` } },
        }),
        setSlackSettings(fork(), {
          tenantId,
          actor: 'system:cli',
          change: { handoffChannel: `C0HAND${round}`, idleReleaseMinutes: 10 + round },
        }),
        setFineTuningSettings(fork(), {
          tenantId,
          actor: 'apikey:operator-a',
          change: { minNewExamples: 100 + round },
        }),
        updateAlertSettings(fork(), {
          tenantId,
          actor: 'apikey:operator-b',
          change: { thresholds: { latencyP95Ms: 1000 + round }, monthlyBudgetUsd: 50 + round },
        }),
        updateWhatsAppSettings(fork(), box, {
          tenantId,
          actor: 'apikey:operator-c',
          settings: {
            numbers: [`+1555000${String(round).padStart(4, '0')}`],
            completedActionKeywords: [`paid${round}`],
            authToken: `token-of-round-${round}-abcdef`,
          },
        }),
        // The fine-tuning job, in the background, adds its model to the catalogue.
        addFineTunedModelToCatalogue(fork(), {
          tenantId,
          model: `ft:gpt-4o-mini-2024-07-18:shop::round${round}`,
          baseModel: 'gpt-4o-mini-2024-07-18',
          jobId: crypto.randomUUID(),
        }),
      ]);

      const { settings } = await fork().findOneOrFail(Tenant, { id: tenantId });
      expect(settings.systemPrompt).toBe(`Prompt ${round}`);
      expect(settings.routing?.longContextTokens).toBe(10_000 + round);
      expect(Object.keys((settings.routing?.catalogue ?? {}) as object).sort()).toEqual(
        Array.from({ length: round }, (_, index) => `ft:gpt-4o-mini-2024-07-18:shop::round${index + 1}`).sort(),
      );
      expect(settings.profile).toMatchObject({ companyName: `Shop ${round}`, openingHours: `Mon–Fri ${round}` });
      expect(settings.profile?.values).toEqual(
        Object.fromEntries(
          Array.from({ length: round }, (_, index) => [
            [`Code ${index + 1}`, `A${index + 1}`],
            [`Extra ${index + 1}`, `B${index + 1}`],
          ]).flat(),
        ),
      );
      expect(settings.channels?.slack).toEqual({
        reviewChannel: 'C0REVIEW',
        handoffChannel: `C0HAND${round}`,
        idleReleaseMinutes: 10 + round,
      });
      expect(settings.channels?.whatsapp).toEqual({
        numbers: [`whatsapp:+1555000${String(round).padStart(4, '0')}`],
        completedActionKeywords: [`paid${round}`],
      });
      expect(settings.fineTuning).toEqual({ minNewExamples: 100 + round });
      expect(settings.alerts).toEqual({ rules: { latencyP95Ms: 1000 + round }, monthlyBudgetUsd: 50 + round });
      expect((await readTenantSecrets(fork(), box, tenantId)).twilioAuthToken).toBe(`token-of-round-${round}-abcdef`);
    }

    // One audit row per save, each committed with its change.
    const actions = await fork().find(AuditLog, { tenant: tenantId }, { fields: ['action'] });
    const counts: Record<string, number> = {};
    for (const { action } of actions) counts[action] = (counts[action] ?? 0) + 1;
    expect(counts).toEqual({
      'tenant.settings.update': ROUNDS,
      'tenant.profile.update': 2 * ROUNDS,
      'tenant.settings.slack.update': ROUNDS,
      'tenant.settings.fine_tuning.update': ROUNDS,
      'tenant.alerts.update': ROUNDS,
      'tenant.settings.whatsapp.update': ROUNDS,
      'tenant.settings.catalogue.add': ROUNDS,
    });
  });

  it('keeps every secret when several are set at once (the encrypted secrets are one column too)', async () => {
    const tenant = await makeTenant(fork(), {});
    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all([
        updateTenantSecrets(fork(), box, {
          tenantId: tenant.id,
          actor: 'apikey:operator-a',
          secrets: { openaiApiKey: `sk-openai-${round}` },
        }),
        updateTenantSecrets(fork(), box, {
          tenantId: tenant.id,
          actor: 'apikey:operator-b',
          secrets: { geminiApiKey: `gemini-${round}` },
        }),
        updateTenantSecrets(fork(), box, {
          tenantId: tenant.id,
          actor: 'apikey:operator-c',
          secrets: { slackBotToken: `xoxb-${round}` },
        }),
        updateWhatsAppSettings(fork(), box, {
          tenantId: tenant.id,
          actor: 'apikey:operator-d',
          settings: { numbers: ['+15559990000'], authToken: `twilio-token-${round}-abcdef` },
        }),
      ]);
      expect(await readTenantSecrets(fork(), box, tenant.id)).toEqual({
        openaiApiKey: `sk-openai-${round}`,
        geminiApiKey: `gemini-${round}`,
        slackBotToken: `xoxb-${round}`,
        twilioAuthToken: `twilio-token-${round}-abcdef`,
      });
    }
  });

  it('merges a secret into the stored ones even when the caller read them before another change', async () => {
    const tenant = await makeTenant(fork(), {});
    const request = fork();
    expect(await readTenantSecrets(request, box, tenant.id)).toEqual({});
    await updateTenantSecrets(fork(), box, {
      tenantId: tenant.id,
      actor: 'apikey:other',
      secrets: { openaiApiKey: 'sk-1' },
    });
    await updateTenantSecrets(request, box, {
      tenantId: tenant.id,
      actor: 'apikey:this',
      secrets: { geminiApiKey: 'g-1' },
    });
    expect(await readTenantSecrets(fork(), box, tenant.id)).toEqual({ openaiApiKey: 'sk-1', geminiApiKey: 'g-1' });
  });

  it('a refused change beside concurrent saves changes nothing and keeps the others', async () => {
    const tenant = await makeTenant(fork(), { systemPrompt: 'Before' });
    const results = await Promise.allSettled([
      updateTenantSettings(fork(), box, {
        tenantId: tenant.id,
        actor: 'apikey:operator-a',
        change: { routing: { cheapThreshold: 0.9, reasoningThreshold: 0.1 } },
      }),
      updateBusinessProfile(fork(), {
        tenantId: tenant.id,
        actor: 'apikey:operator-b',
        change: { companyName: 'Kept' },
      }),
      setSlackSettings(fork(), { tenantId: tenant.id, actor: 'system:cli', change: { idleReleaseMinutes: 7 } }),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'BAD_USER_INPUT' } });
    expect(results.slice(1).map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    const { settings } = await fork().findOneOrFail(Tenant, { id: tenant.id });
    expect(settings).toEqual({
      systemPrompt: 'Before',
      profile: { companyName: 'Kept' },
      channels: { slack: { idleReleaseMinutes: 7 } },
    });
    expect(await fork().count(AuditLog, { tenant: tenant.id, action: 'tenant.settings.update' })).toBe(0);
  });

  it('binds a WhatsApp number to one tenant only when two tenants claim it at the same moment', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const number = `+1415555${String(round).padStart(4, '0')}`;
      const tenants = await Promise.all([makeTenant(fork()), makeTenant(fork()), makeTenant(fork())]);
      const outcomes = await Promise.allSettled(
        tenants.map((tenant) =>
          updateWhatsAppSettings(fork(), box, {
            tenantId: tenant.id,
            actor: 'apikey:operator-a',
            settings: { numbers: [number] },
          }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes.filter((outcome) => outcome.status === 'rejected'))
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({
          message: expect.stringMatching(/already bound to tenant/),
          details: { field: 'numbers' },
        });
      const bound = await fork()
        .getConnection()
        .execute<{ id: string }[]>(
          `select id from tenant where jsonb_exists(settings->'channels'->'whatsapp'->'numbers', ?)`,
          [`whatsapp:${number}`],
        );
      expect(bound).toHaveLength(1);
    }
  });
});
