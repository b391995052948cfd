import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real service (src/main.ts) in a child Node process, its JSON log lines collected. */
export interface ServiceProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function startService(env: Record<string, string>): ServiceProcess {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(root, 'test/helpers/ts-register.js'),
      '-e',
      `require(${JSON.stringify(path.join(root, 'src/main.ts'))})`,
    ],
    { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  async function waitForLog(message: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith(message));
      if (found) return found;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no log "${message}"; got:\n${lines.map((line) => JSON.stringify(line)).join('\n')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
  return { child, lines, exited, waitForLog };
}
