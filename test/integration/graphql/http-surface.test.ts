import crypto from 'node:crypto';
import { createApp, createMetricsApp, listen, type RunningServer } from '../../../src/http';
import { createLogger } from '../../../src/logger';
import { createMetrics } from '../../../src/metrics';
import { ReadinessNotes } from '../../../src/readiness';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

let database: TestDatabase;
let shop: TenantFixture;
const logger = createLogger('silent');
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'surface', { turns: 1 });
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await database.drop();
});

async function graphqlServer(options: Parameters<typeof startGraphqlServer>[1]): Promise<GraphqlTestServer> {
  const server = await startGraphqlServer(database.orm, options);
  servers.push(server);
  return server;
}

async function plainServer(deps: Partial<Parameters<typeof createApp>[0]> = {}): Promise<string> {
  const running: RunningServer = await listen(
    await createApp({ orm: database.orm, logger, metrics: createMetrics({ defaults: false }), ...deps }),
    0,
    '127.0.0.1',
  );
  servers.push({ close: () => running.close(1000) });
  return `http://127.0.0.1:${running.port}`;
}

const feedbackMutation = 'mutation($token: String!) { submitFeedback(token: $token, helpful: true) { helpful } }';

async function submitFrom(url: string, forwardedFor: string): Promise<string | undefined> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ query: feedbackMutation, variables: { token: crypto.randomBytes(16).toString('hex') } }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code;
}

describe('TRUST_PROXY and the rate limit', () => {
  it('ignores X-Forwarded-For by default: 300 spoofed addresses are throttled as one client', async () => {
    const server = await graphqlServer({ rateLimit: 5 });
    const codes: (string | undefined)[] = [];
    // In batches of 20: the limiter counts synchronously, so exactly five get through whatever the order.
    for (let batch = 0; batch < 15; batch++) {
      codes.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_unused, offset) =>
            submitFrom(server.url, `203.0.113.${batch}, 198.51.100.${offset}`),
          ),
        )),
      );
    }
    // Unknown tokens: five are NOT_FOUND, every other one is refused by the per-address limit.
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(295);
  }, 120_000);

  it('believes X-Forwarded-For only from a configured proxy (loopback here)', async () => {
    const server = await graphqlServer({ rateLimit: 5, http: { trustProxy: ['loopback'] } });
    const codes: (string | undefined)[] = [];
    for (let index = 0; index < 20; index++) codes.push(await submitFrom(server.url, `203.0.113.${index}`));
    expect(codes.every((code) => code === 'NOT_FOUND')).toBe(true);
    const other = await graphqlServer({ rateLimit: 5, http: { trustProxy: ['10.0.0.1'] } });
    const spoofed: (string | undefined)[] = [];
    for (let index = 0; index < 20; index++) spoofed.push(await submitFrom(other.url, `203.0.113.${index}`));
    expect(spoofed.filter((code) => code === 'RATE_LIMITED')).toHaveLength(15);
  });
});

describe('security headers (helmet)', () => {
  it('sends nosniff, no framing, no referrer and a deny-all CSP on API responses; no HSTS over plain HTTP', async () => {
    const base = await plainServer();
    const response = await fetch(`${base}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('sends HSTS when the public URL is https (TLS ends at a proxy)', async () => {
    const base = await plainServer({ publicBaseUrl: 'https://parley.example.com' });
    expect((await fetch(`${base}/healthz`)).headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
  });

  it("sends browsers on /graphql to parley's own console, never to Apollo's landing page", async () => {
    const server = await graphqlServer({});
    const response = await fetch(server.url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin/graphiql');
  });

  it("never serves Apollo's CDN landing page (console off, as in production)", async () => {
    const server = await graphqlServer({ graphiql: false });
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    const body = await response.text();
    expect(body).not.toMatch(/apollographql|embeddable-sandbox|cdn\./i);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('/metrics access', () => {
  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    const base = await plainServer({ metricsToken: 'metrics-token-0123456789' });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-000000000' } })).status,
    ).toBe(401);
    const allowed = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('parley_http_requests_total');
  });

  it('moves to its own listener with METRICS_PORT: 404 on the main port', async () => {
    const metrics = createMetrics({ defaults: false });
    const base = await plainServer({ metrics, serveMetrics: false });
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const own = await listen(createMetricsApp({ metrics, metricsToken: null }), 0, '127.0.0.1');
    servers.push({ close: () => own.close(1000) });
    expect((await fetch(`http://127.0.0.1:${own.port}/metrics`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${own.port}/graphql`)).status).toBe(404);
  });
});

describe('GraphQL introspection and body limits', () => {
  const introspection = '{ __schema { queryType { name } } }';

  it('refuses anonymous introspection with `with-key` (production) and allows it with a key', async () => {
    const server = await graphqlServer({ introspection: 'with-key' });
    const anonymous = await server.query(null, introspection);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data).toBeNull();
    expect((await server.query(shop.keys['analytics:view'], introspection)).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    expect((await server.query(null, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('answers an over-large body with 413 PAYLOAD_TOO_LARGE, not INTERNAL', async () => {
    const server = await graphqlServer({});
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(1_100_000) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers a query over the token limit with a 400 validation error, not 500', async () => {
    const server = await graphqlServer({});
    const query = `{ ${Array.from({ length: 2100 }, () => '__typename').join(' ')} }`;
    const result = await server.query(null, query);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('/readyz details', () => {
  it('lists run-time problems without making the instance unready', async () => {
    const readiness = new ReadinessNotes();
    const base = await plainServer({ readiness });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    readiness.report('twilioSignature', { expectedUrl: 'http://a', signedUrl: 'https://b' });
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      details: { twilioSignature: { signedUrl: 'https://b' } },
    });
  });
});
