import crypto from 'node:crypto';
import { findApiKey } from '../../../src/auth/api-keys';
import { ApiKey, KnowledgeArticle, Tenant } from '../../../src/db/entities';
import { seedDemoTenant } from '../../../src/db/seed';
import { SecretBox } from '../../../src/security/secret-box';
import { readTenantSecrets, setTenantSecrets } from '../../../src/tenants/tenant-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeTenant } from '../../helpers/factories';

describe('tenant secrets at rest', () => {
  let database: TestDatabase;
  const box = new SecretBox(crypto.randomBytes(32));

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('stores provider keys encrypted: the column never holds the plain key', async () => {
    const em = database.orm.em.fork();
    const tenant = await makeTenant(em);
    const names = await setTenantSecrets(em, box, tenant.id, {
      openaiApiKey: 'sk-plain-openai-123',
      geminiApiKey: 'AIza-plain-gemini',
    });
    expect(names).toEqual(['geminiApiKey', 'openaiApiKey']);

    const [row] = await database.orm.em
      .getConnection()
      .execute<{ encrypted_secrets: string }[]>('select encrypted_secrets from tenant where id = ?', [tenant.id]);
    expect(row.encrypted_secrets).toMatch(/^v1:/);
    expect(row.encrypted_secrets).not.toContain('sk-plain-openai-123');
    expect(row.encrypted_secrets).not.toContain('AIza-plain-gemini');

    expect(await readTenantSecrets(database.orm.em.fork(), box, tenant.id)).toEqual({
      openaiApiKey: 'sk-plain-openai-123',
      geminiApiKey: 'AIza-plain-gemini',
    });
  });

  it('keeps secrets out of serialised tenants and removes a secret set to null', async () => {
    const em = database.orm.em.fork();
    const tenant = await makeTenant(em);
    await setTenantSecrets(em, box, tenant.id, { openaiApiKey: 'sk-1', twilioAuthToken: 'tw-1' });
    const loaded = await database.orm.em.fork().findOneOrFail(Tenant, tenant.id);
    expect(JSON.stringify(loaded)).not.toContain('v1:');
    expect(await setTenantSecrets(em, box, tenant.id, { openaiApiKey: null })).toEqual(['twilioAuthToken']);
    expect(await readTenantSecrets(database.orm.em.fork(), box, tenant.id)).toEqual({ twilioAuthToken: 'tw-1' });
  });
});

describe('first-run seed', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('creates the demo tenant, its knowledge base and a working key once', async () => {
    const first = await seedDemoTenant(database.orm.em.fork());
    expect(first).not.toBeNull();
    const em = database.orm.em.fork();
    expect(await em.count(KnowledgeArticle, { tenant: first!.tenant.id, source: 'seed' })).toBeGreaterThanOrEqual(30);
    const key = await findApiKey(em, first!.apiKey);
    expect(key?.tenant.id).toBe(first!.tenant.id);
    expect(key?.scopes).toEqual(['analytics:view', 'corrections:write', 'users:manage']);
    const stored = await em.findOneOrFail(ApiKey, { id: key!.id });
    expect(stored.keyHash).not.toContain(first!.apiKey);

    expect(await seedDemoTenant(database.orm.em.fork())).toBeNull();
    expect(await database.orm.em.fork().count(Tenant, {})).toBe(1);
  });
});
