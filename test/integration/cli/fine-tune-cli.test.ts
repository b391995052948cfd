import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FineTuningJob } from '../../../src/db/entities';
import { startFakeOpenAiFineTuning, type FakeOpenAiFineTuning } from '../../fakes/fake-openai-fine-tuning-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeTenant } from '../../helpers/factories';
import { approveCorrections } from '../learning/fine-tuning-fixtures';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

let database: TestDatabase;
let api: FakeOpenAiFineTuning;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  api = await startFakeOpenAiFineTuning();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-fine-tune-cli-'));
});
afterAll(async () => {
  await api.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run fine-tune -- …` as a child process against the test database and the fake OpenAI API. */
async function fineTune(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    PARLEY_DATA_DIR: dataDir,
    OPENAI_API_KEY: 'sk-cli',
    OPENAI_BASE_URL: api.url,
  };
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', './test/helpers/ts-register.js', 'src/cli/fine-tune.ts', ...args],
      { cwd: ROOT, env, maxBuffer: 10_000_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run fine-tune', () => {
  it('starts a job, lists it, follows it with status --refresh and cancels; bad commands exit 2', async () => {
    expect(await fineTune(['stop'])).toMatchObject({ code: 2 });
    expect((await fineTune(['status'])).stderr).toContain('status needs a job id');
    const tenant = await makeTenant(database.orm.em.fork(), {}, 'cli-tuning');
    await approveCorrections(database, tenant.id, 'apikey:cli-test', 30);

    const started = await fineTune(['start', '--tenant', 'cli-tuning', '--json']);
    expect(started.code).toBe(0);
    const job = JSON.parse(started.stdout) as { id: string; phase: string; status: string; providerJobId: string };
    expect([job.phase, job.status]).toEqual(['training', 'validating_files']);
    expect(api.requests.filter((request) => request.path === '/v1/files').map((request) => request.apiKey)).toEqual([
      'sk-cli',
      'sk-cli',
    ]);

    const listed = await fineTune(['list', '--tenant', 'cli-tuning']);
    expect(listed.stdout).toContain(`${job.id}  training  (provider: ${job.providerJobId} validating_files)`);

    api.setAdvance('manual');
    api.advance(job.providerJobId);
    const refreshed = await fineTune(['status', job.providerJobId, '--tenant', 'cli-tuning', '--refresh', '--json']);
    expect(refreshed.code).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ phase: 'training', status: 'queued' });

    const cancelled = await fineTune(['cancel', job.id, '--tenant', 'cli-tuning', '--reason', 'testing']);
    expect(cancelled.stdout).toContain(`${job.id}  cancelled`);
    const stored = await database.orm.em.fork().findOneOrFail(FineTuningJob, { id: job.id });
    expect([stored.phase, stored.status, stored.startedBy]).toEqual(['cancelled', 'cancelled', 'system:fine-tune-cli']);
    expect((await fineTune(['cancel', job.id, '--tenant', 'cli-tuning'])).code).toBe(1);
  }, 600_000);
});
