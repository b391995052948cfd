import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, print } from 'graphql';
import {
  createDraftModelVersion,
  markModelVersionEvaluated,
} from '../../../src/learning/model-versions/model-version-service';
import { createLogger } from '../../../src/logger';
import { createAlertService } from '../../../src/monitoring/alert-service';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeConversationWithTurn } from '../../helpers/factories';
import { apiExamples, hereDocumentBody, valueAt } from '../../helpers/markdown-examples';
import { freePort, startService, type ServiceProcess } from '../../helpers/service-process';

const run = promisify(execFile);
const guide = fs.readFileSync(path.resolve(__dirname, '../../../docs/api-guide.md'), 'utf8');
const examples = apiExamples(guide);

/**
 * docs/api-guide.md is executable: every curl command on the page runs, in
 * page order, against the real service (src/main.ts in a child process) on a
 * fresh database with one seeded tenant, and must answer without a GraphQL
 * error. Values the page marks as captured flow from one answer into later
 * examples, as a reader would copy them.
 */
describe('docs/api-guide.md examples', () => {
  let database: TestDatabase;
  let fixture: TenantFixture;
  let service: ServiceProcess;
  let baseUrl: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-api-guide-'));
  /** Placeholder → value: seeded ones, then the captured ones. */
  const values = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    const em = database.orm.em.fork();
    fixture = await makeControlPlaneTenant(em, 'acme-docs');
    // A version that passed its evaluation (what `npm run evaluate` makes of a passing draft), for the experiment.
    const actor = 'apikey:docs-test' as const;
    const candidate = await createDraftModelVersion(database.orm.em.fork(), {
      tenantId: fixture.tenant.id,
      actor,
      changes: { systemPrompt: 'Answer in at most two sentences.', notes: 'candidate for the docs experiment' },
    });
    await markModelVersionEvaluated(database.orm.em.fork(), {
      tenantId: fixture.tenant.id,
      versionId: candidate.id,
      actor,
    });
    values.set('<evaluated version id>', candidate.id);
    // A reply from today: feedback tokens expire FEEDBACK_TOKEN_TTL_DAYS after their reply.
    const { interaction } = await makeConversationWithTurn(database.orm.em.fork(), fixture.tenant);
    values.set('<feedback token>', interaction.feedbackToken);
    // A firing alert for the on-call examples, raised through the alert service as the alert-rules job does.
    await createAlertService({
      orm: database.orm,
      notifiers: [],
      logger: createLogger('silent'),
      repeatHours: 4,
      groupWindowSeconds: 0,
      silenceMinutes: 60,
      graphqlUrl: 'http://127.0.0.1/graphql',
    }).raise({
      tenantId: fixture.tenant.id,
      key: 'provider-failure:openai',
      title: 'openai failing: 40 % of calls',
      severity: 'critical',
      metric: 'provider_failure_rate',
      value: 0.4,
      threshold: 0.05,
      runbookUrl: 'http://127.0.0.1/runbooks/provider-failure',
    });

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    service = startService({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: baseUrl,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      SEED_DEMO: 'false',
    });
    await service.waitForLog('parley listening');
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('covers the seven use cases of the page', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    const sections = [...guide.matchAll(/^## \d\. (.+)$/gm)].map((match) => match[1]);
    expect(sections).toEqual([
      'A BI tool reading analytics',
      'An operator correcting and approving',
      'Deploying a model version',
      'Configuring an experiment',
      'Submitting feedback from your own client',
      'On-call: alerts and their settings',
      'Managing API keys and reading the audit log',
    ]);
  });

  it.each(examples.map((example, index) => [index + 1, example.title, example] as const))(
    'example %i, "%s": the curl body is the operation and variables shown above it',
    (_index, _title, example) => {
      const body = JSON.parse(hereDocumentBody(example.shell)) as { query: string; variables: unknown };
      expect(print(parse(body.query))).toBe(print(parse(example.graphql)));
      expect(body.variables).toEqual(JSON.parse(example.variables));
    },
  );

  it.each(examples.map((example, index) => [index + 1, example.title, example] as const))(
    'example %i, "%s": runs against the service without errors',
    async (_index, _title, example) => {
      let shell = example.shell;
      for (const [placeholder, value] of values) shell = shell.split(placeholder).join(value);
      expect(shell.match(/<[a-z][a-z ]*>/g) ?? []).toEqual([]);
      const { stdout } = await run('bash', ['-c', shell], {
        env: { PATH: process.env.PATH ?? '', PARLEY_URL: baseUrl, PARLEY_KEY: fixture.keys.all },
        timeout: 30_000,
      });
      const answer = JSON.parse(stdout) as { data?: unknown; errors?: unknown };
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toBeTruthy();
      for (const capture of example.captures) {
        const value = valueAt(answer, capture.path);
        expect(typeof value).toBe('string');
        values.set(capture.placeholder, value as string);
      }
    },
    60_000,
  );
});
