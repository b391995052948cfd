import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cliEnvironment, ensureBuilt, projectRoot } from '../../helpers/built-checkout';

/**
 * `npm start` on the embedded database, then `npm run chat` and `npm run keys`
 * in another terminal, several times: the CLIs use the service's database
 * (they join the running server) and never stop it; the service stays ready.
 */
describe('CLIs beside a running service on the embedded database', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-beside-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  let port = 0;
  let env: NodeJS.ProcessEnv;
  let service: ChildProcess | null = null;
  let serviceOutput = '';

  const freePort = () =>
    new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
  /** GET /readyz is 200. Retried briefly: a kept-alive socket the server closed while a slow CLI ran fails once. */
  const ready = async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        return response.status === 200;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return false;
  };
  const cli = (args: string[], input = '') =>
    spawnSync(process.execPath, ['scripts/run.js', ...args], {
      cwd: projectRoot,
      env,
      input,
      encoding: 'utf8',
      timeout: 180_000,
    });
  const postmasterPid = () =>
    Number(fs.readFileSync(path.join(dataDir, 'db', 'postmaster.pid'), 'utf8').split('\n')[0]);

  beforeAll(async () => {
    ensureBuilt();
    port = await freePort();
    env = cliEnvironment(dataDir, { PORT: String(port), HOST: '127.0.0.1', JOBS_ENABLED: 'false', SEED_DEMO: 'true' });
    service = spawn(process.execPath, ['scripts/run.js', 'src/main'], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout!.on('data', (chunk) => (serviceOutput += String(chunk)));
    service.stderr!.on('data', (chunk) => (serviceOutput += String(chunk)));
    const deadline = Date.now() + 300_000;
    while (!(await ready())) {
      if (service.exitCode !== null || Date.now() > deadline)
        throw new Error(`the service did not become ready:\n${serviceOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 900_000);

  afterAll(async () => {
    const server = fs.existsSync(path.join(dataDir, 'db', 'postmaster.pid')) ? postmasterPid() : null;
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    // Never leave a server behind, whatever the shutdown did.
    try {
      if (server) process.kill(server, 'SIGINT');
    } catch {
      // already gone
    }
    fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it("runs keys and chat three times each; the database server is the service's and the service stays ready", async () => {
    const server = postmasterPid();
    for (let round = 0; round < 3; round += 1) {
      const keys = cli(['src/cli/keys', 'list']);
      expect({ status: keys.status, stderr: keys.stderr }).toEqual({ status: 0, stderr: '' });
      expect(keys.stdout).toMatch(/demo/);
      expect(await ready()).toBe(true);

      const chat = cli(['src/cli/chat'], 'How long does delivery take?\n/quit\n');
      expect(chat.status).toBe(0);
      expect(chat.stdout).toMatch(/parley ›/);
      expect(chat.stderr).not.toMatch(/stopping an embedded PostgreSQL/);
      expect(await ready()).toBe(true);
      expect(postmasterPid()).toBe(server);
    }
    expect(serviceOutput).not.toMatch(/stopping an embedded PostgreSQL/);
  }, 900_000);
});
