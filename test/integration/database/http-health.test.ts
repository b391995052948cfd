import type { Server } from 'node:http';
import { createApp, listen, type RunningServer } from '../../../src/http';
import { createLogger } from '../../../src/logger';
import { createMetrics } from '../../../src/metrics';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

describe('health endpoints', () => {
  const logger = createLogger('silent');
  let migrated: TestDatabase;
  let empty: TestDatabase;
  let ready: RunningServer;
  let notReady: RunningServer;

  beforeAll(async () => {
    migrated = await createTestDatabase();
    empty = await createTestDatabase({ migrate: false });
    ready = await listen(await createApp({ orm: migrated.orm, logger, metrics: createMetrics() }), 0, '127.0.0.1');
    notReady = await listen(await createApp({ orm: empty.orm, logger, metrics: createMetrics() }), 0, '127.0.0.1');
  });
  afterAll(async () => {
    await ready.close();
    await notReady.close();
    await migrated.drop();
    await empty.drop();
  });

  const url = (server: RunningServer, path: string) => `http://127.0.0.1:${server.port}${path}`;

  it('/healthz answers while the process is up', async () => {
    const response = await fetch(url(ready, '/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with the schema current and 503 with migrations pending', async () => {
    expect((await fetch(url(ready, '/readyz'))).status).toBe(200);
    const pending = await fetch(url(notReady, '/readyz'));
    expect(pending.status).toBe(503);
    expect(await pending.json()).toMatchObject({ reason: 'migrations pending' });
  });

  it('/metrics speaks the Prometheus text format and counts requests by route', async () => {
    await fetch(url(ready, '/healthz'));
    const response = await fetch(url(ready, '/metrics'));
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(body).toMatch(/parley_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(body).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('unknown routes get a JSON 404', async () => {
    const response = await fetch(url(ready, '/nope'));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('close() lets an in-flight request finish before the server stops', async () => {
    const server = await listen(
      await createApp({ orm: migrated.orm, logger, metrics: createMetrics({ defaults: false }) }, [
        (app) => {
          app.get('/slow', (_request, response) => {
            setTimeout(() => response.json({ done: true }), 200);
          });
        },
      ]),
      0,
      '127.0.0.1',
    );
    const inFlight = fetch(url(server, '/slow'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server.close(5_000);
    const response = await inFlight;
    expect(await response.json()).toEqual({ done: true });
    await closing;
    expect((server.server as Server).listening).toBe(false);
  });
});
