import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt, projectRoot } from '../../helpers/built-checkout';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { execForm, readDockerfile } from '../../helpers/dockerfile';
import { freePort } from '../../helpers/service-process';

const run = promisify(execFile);

/**
 * What the Dockerfile's runtime stage runs, run here: its CMD on a build of this
 * checkout (`npm run build`), with its ENV, from the project root (the image's
 * WORKDIR holds the same files), then its HEALTHCHECK command. No Docker engine
 * runs here; this is the part of the image that can be proven without one.
 */
describe('the image command on a build of the checkout', () => {
  const instructions = readDockerfile(fs.readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8'));
  const stage = Math.max(...instructions.map((instruction) => instruction.stage));
  const final = instructions.filter((instruction) => instruction.stage === stage);
  const command = execForm(final.find((instruction) => instruction.keyword === 'CMD')!.args);
  const healthCheck = execForm(final.find((instruction) => instruction.keyword === 'HEALTHCHECK')!.args);
  const imageEnv: Record<string, string> = Object.fromEntries(
    final
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => instruction.args.split(/\s+/))
      .map((pair) => pair.split('=') as [string, string]),
  );
  let database: TestDatabase;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-image-'));

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase({ migrate: false });
  }, 900_000);

  afterAll(async () => {
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts in production mode, migrates, passes its health check and stops cleanly on SIGTERM', async () => {
    expect(command).toEqual(['node', 'dist/src/main.js']);
    expect(fs.existsSync(path.join(projectRoot, command[1]))).toBe(true);
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...imageEnv,
      HOST: '127.0.0.1',
      PORT: String(port),
      PARLEY_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      PARLEY_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    };
    expect(env.NODE_ENV).toBe('production');
    const child = spawn(command[0] === 'node' ? process.execPath : command[0], command.slice(1), {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('parley listening') && child.exitCode === null && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 200));
      expect(output).toContain('parley listening');

      // The HEALTHCHECK, exactly as the image runs it (node from PATH, PORT from the environment).
      const [program, ...args] = healthCheck;
      await expect(
        run(program === 'node' ? process.execPath : program, args, { env: { PORT: String(port) } }),
      ).resolves.toBeDefined();

      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const runbook = await fetch(`${base}/runbooks/latency-p95`);
      expect(runbook.status).toBe(200);
      expect(await runbook.text()).toContain('# Runbook');
      expect((await fetch(`${base}/runbooks/model-version-guard`)).status).toBe(200);
      if (fs.existsSync(path.join(projectRoot, 'web/dist/index.html')))
        expect((await fetch(`${base}/admin/`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
  }, 120_000);

  it('fails its health check when nothing listens', async () => {
    const [program, ...args] = healthCheck;
    const port = await freePort();
    await expect(
      run(program === 'node' ? process.execPath : program, args, { env: { PORT: String(port) } }),
    ).rejects.toThrow();
  });
});
