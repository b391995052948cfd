import { createApiKey } from '../../../src/auth/api-keys';
import { AuditLog, ConsoleSession } from '../../../src/db/entities';
import { revokeApiKey } from '../../../src/auth/api-key-admin';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import type { GraphqlJson } from '../../helpers/graphql-server';
import { ensureWebBuilt, startConsoleServer, type ConsoleTestServer } from '../../helpers/console-server';

let database: TestDatabase;
let server: ConsoleTestServer;
let shop: TenantFixture;

beforeAll(async () => {
  ensureWebBuilt();
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'consoleshop', { turns: 2 });
  server = await startConsoleServer(database.orm, database.url);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const CONSOLE = { 'x-parley-console': '1' };

async function signIn(key: string): Promise<{ status: number; cookie: string | null; setCookie: string | null }> {
  const response = await fetch(`${server.baseUrl}/admin/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...CONSOLE },
    body: JSON.stringify({ key }),
  });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, setCookie, cookie: setCookie ? setCookie.split(';')[0]! : null };
}

async function graphql(cookie: string | null, query: string, headers: Record<string, string> = CONSOLE) {
  const response = await fetch(`${server.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data?: GraphqlJson;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

describe('admin console sessions', () => {
  it('exchanges a key for an HttpOnly SameSite=Strict cookie that /graphql accepts with the console header only', async () => {
    const { status, setCookie, cookie } = await signIn(shop.keys['analytics:view']);
    expect(status).toBe(200);
    expect(setCookie).toMatch(/^parley_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    expect(setCookie).not.toContain(shop.keys['analytics:view']);

    const session = await (await fetch(`${server.baseUrl}/admin/session`, { headers: { cookie: cookie! } })).json();
    expect(session).toMatchObject({ signedIn: true, tenantName: 'consoleshop', scopes: ['analytics:view'] });

    expect((await graphql(cookie, '{ feedback { totalCount } }')).data).toEqual({ feedback: { totalCount: 2 } });
    // Without the header (a cross-site form or image request) the cookie counts for nothing.
    expect((await graphql(cookie, '{ feedback { totalCount } }', {})).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    // Same scopes as the key: this one cannot approve.
    const approve = await graphql(
      cookie,
      `mutation { approveCorrection(id: "${shop.correction.id}") { knowledgeArticleId } }`,
    );
    expect(approve.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses unknown keys, requests without the console header, and empty bodies', async () => {
    expect((await signIn('pk_not-a-real-key')).status).toBe(401);
    expect((await signIn('')).status).toBe(400);
    const noHeader = await fetch(`${server.baseUrl}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: shop.keys.all }),
    });
    expect(noHeader.status).toBe(403);
    expect(noHeader.headers.get('set-cookie')).toBeNull();
  });

  it('signs out (the cookie stops working and is cleared) and audits sign-in and sign-out', async () => {
    const { cookie } = await signIn(shop.keys.all);
    const out = await fetch(`${server.baseUrl}/admin/session`, {
      method: 'DELETE',
      headers: { cookie: cookie!, ...CONSOLE },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^parley_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect((await graphql(cookie, '{ feedback { totalCount } }')).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const actions = (
      await database.orm.em.fork().find(AuditLog, { tenant: shop.tenant.id, action: { $like: 'console.%' } })
    ).map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['console.sign_in', 'console.sign_out']));
  });

  it('ends sessions when they expire or their key is revoked; sessions live in PostgreSQL (any instance sees them)', async () => {
    const em = database.orm.em.fork();
    const { key, apiKey } = await createApiKey(em, { tenant: shop.tenant, name: 'short', scopes: ['analytics:view'] });
    const { cookie } = await signIn(key);
    // A second server on the same database (another instance) accepts the same cookie.
    const other = await startConsoleServer(database.orm, database.url);
    try {
      const response = await fetch(`${other.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: cookie!, ...CONSOLE },
        body: JSON.stringify({ query: '{ feedback { totalCount } }' }),
      });
      expect(((await response.json()) as { data?: unknown }).data).toEqual({ feedback: { totalCount: 2 } });
    } finally {
      await other.close();
    }
    await revokeApiKey(database.orm.em.fork(), { apiKeyId: apiKey.id, actor: 'system:test' });
    expect((await graphql(cookie, '{ feedback { totalCount } }')).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );

    const second = await signIn(shop.keys.all);
    await database.orm.em
      .fork()
      .nativeUpdate(
        ConsoleSession,
        { apiKey: { tenant: shop.tenant.id }, expiresAt: { $gt: new Date() } },
        { expiresAt: new Date(Date.now() - 1000) },
      );
    expect((await graphql(second.cookie, '{ feedback { totalCount } }')).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect(
      await (await fetch(`${server.baseUrl}/admin/session`, { headers: { cookie: second.cookie! } })).json(),
    ).toMatchObject({ signedIn: false });
  });

  it('sends security headers on every console response, caches hashed assets for a year and index.html never', async () => {
    const page = await fetch(`${server.baseUrl}/admin/feedback`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = html.match(/\/admin\/assets\/[^"]+\.js/)![0];
    const assetResponse = await fetch(`${server.baseUrl}${asset}`);
    expect(assetResponse.status).toBe(200);
    expect(assetResponse.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const response of [
      page,
      assetResponse,
      await fetch(`${server.baseUrl}/admin/assets/missing.js`),
      await fetch(`${server.baseUrl}/admin/session`),
    ]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await fetch(`${server.baseUrl}/admin/assets/missing.js`)).status).toBe(404);
  });

  it('sends browsers opening /graphql to GraphiQL in the console; API clients still reach Apollo', async () => {
    const browser = await fetch(`${server.baseUrl}/graphql`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/admin/graphiql');
    const api = await fetch(`${server.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
