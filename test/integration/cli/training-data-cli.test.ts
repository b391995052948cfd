import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ModelVersion } from '../../../src/db/entities';
import { parseCsv } from '../../../src/learning/datasets/case-file';
import { splitExamples } from '../../../src/learning/holdout-split';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const DATASET = process.env.PARLEY_DATASET ?? path.resolve(ROOT, '../shared/datasets/customer-support-train.csv');

let database: TestDatabase;
let folder: string;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-training-cli-'));
});
afterAll(async () => {
  fs.rmSync(folder, { recursive: true, force: true });
  await database.drop();
});

async function cli(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: database.url, SEED_DEMO: 'true', LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', './test/helpers/ts-register.js', `src/cli/${script}.ts`, ...args],
      { cwd: ROOT, env, maxBuffer: 10_000_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Rows of a few intents of the shared CSV written to a temporary CSV (the dataset is read by path, never copied into the repository). */
function writeCsv(file: string, rows: Array<{ question: string; topic: string; answer: string }>): void {
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  const lines = rows.map((row) => [row.question, row.topic, row.answer].map(quote).join(','));
  fs.writeFileSync(file, `instruction,intent,response\n${lines.join('\n')}\n`);
}

(fs.existsSync(DATASET) ? describe : describe.skip)('npm run training-data', () => {
  it('imports corrections, exports JSONL, and trains offline into a draft that passes its evaluation', async () => {
    const rows = parseCsv(fs.readFileSync(DATASET, 'utf8'));
    const header = rows.shift()!;
    const [q, t, a] = ['instruction', 'intent', 'response'].map((name) => header.indexOf(name));
    const topics = ['cancel_order', 'get_refund', 'recover_password', 'track_order'];
    const examples = rows
      .map((row) => ({ question: row[q!]!, topic: row[t!]!, answer: row[a!]! }))
      .filter((row) => topics.includes(row.topic));
    const { train, heldOut } = splitExamples(examples);
    const pick = (list: typeof train, count: number) =>
      topics.flatMap((topic) => list.filter((row) => row.topic === topic).slice(0, count));
    const corrections = path.join(folder, 'corrections.csv');
    const cases = path.join(folder, 'cases.csv');
    writeCsv(corrections, pick(train, 25));
    writeCsv(cases, pick(heldOut, 15));

    const imported = await cli('training-data', ['import-corrections', corrections, '--part', 'all']);
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.stdout).toContain('Imported and approved 100 corrections');
    expect((await cli('datasets', ['create', 'support'])).code).toBe(0);
    expect((await cli('datasets', ['import', 'support', cases])).code).toBe(0);

    const out = path.join(folder, 'train.jsonl');
    const exported = await cli('training-data', ['export', '--format', 'openai', '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('training set #1: 100 examples');
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    const validation = fs.readFileSync(path.join(folder, 'train.validation.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length + validation.length).toBe(100);
    expect(JSON.parse(lines[0]!).messages.at(-1)).toMatchObject({ role: 'assistant', weight: 1 });
    expect((await cli('training-data', ['export', '--format', 'xml', '--out', out])).code).toBe(2);

    const trained = await cli('training-data', ['train-offline', '--dataset', 'support', '--training-set', 'latest']);
    expect(trained.stderr).toBe('');
    expect(trained.stdout).toMatch(/draft version #2 \(draft\); evaluation \S+: pass/);
    expect(trained.code).toBe(0);
    const draft = await database.orm.em.fork().findOneOrFail(ModelVersion, { number: 2 });
    expect(draft.offlineModelArtifactId).toEqual(expect.any(String));
  }, 400_000);
});
