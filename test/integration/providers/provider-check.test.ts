import net from 'node:net';
import { Writable } from 'node:stream';
import { createOnceLogger } from '../../../src/cli/once-logger';
import { checkProviders, describeProviderCheck } from '../../../src/providers/provider-check';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini-server';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';

describe('start-up provider check', () => {
  let openai: FakeOpenAi;
  let gemini: FakeGemini;
  let closedPort: number;

  beforeAll(async () => {
    openai = await startFakeOpenAi();
    gemini = await startFakeGemini();
    openai.acceptKeys('sk-good');
    gemini.acceptKeys('gm-good');
    closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
  });
  afterAll(async () => {
    await openai?.close();
    await gemini?.close();
  });

  it.each([
    ['accepted keys', { OPENAI_API_KEY: 'sk-good', GEMINI_API_KEY: 'gm-good' }, ['ok', 'ok']],
    ['rejected keys', { OPENAI_API_KEY: 'sk-bad', GEMINI_API_KEY: 'gm-bad' }, ['rejected', 'rejected']],
  ] as const)('%s', async (_name, keys, statuses) => {
    const checks = await checkProviders({ ...keys, OPENAI_BASE_URL: openai.url, GEMINI_BASE_URL: gemini.url });
    expect(checks.map((check) => [check.provider, check.status])).toEqual([
      ['openai', statuses[0]],
      ['gemini', statuses[1]],
    ]);
  });

  it('names the setting to fix', async () => {
    const [rejected] = await checkProviders({ OPENAI_API_KEY: 'sk-bad', OPENAI_BASE_URL: openai.url });
    expect(describeProviderCheck(rejected!)).toMatch(
      /OpenAI is not usable: the API key was rejected \(HTTP 401\): check OPENAI_API_KEY/,
    );
    const [wrongUrl] = await checkProviders({
      OPENAI_API_KEY: 'sk-good',
      OPENAI_BASE_URL: openai.url.replace(/\/v1$/, ''),
    });
    expect(wrongUrl).toMatchObject({ status: 'wrong_url', detail: expect.stringMatching(/check OPENAI_BASE_URL/) });
    const [unreachable] = await checkProviders({
      GEMINI_API_KEY: 'gm-good',
      GEMINI_BASE_URL: `http://127.0.0.1:${closedPort}`,
    });
    expect(unreachable).toMatchObject({
      status: 'unreachable',
      detail: expect.stringMatching(/did not answer .*check GEMINI_BASE_URL/),
    });
  });

  it('checks nothing without keys', async () => {
    expect(await checkProviders({})).toEqual([]);
  });
});

describe('the terminal chat logger', () => {
  it('writes a repeated provider warning once', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).trim().split('\n'));
        done();
      },
    });
    const logger = createOnceLogger('warn', sink);
    for (let turn = 0; turn < 5; turn += 1)
      logger.warn(
        { tenantId: `t${turn}`, provider: 'openai', model: 'gpt-4o-mini', code: 'auth' },
        'Incorrect API key provided.',
      );
    logger.warn({ provider: 'gemini', code: 'auth' }, 'API key not valid.');
    logger.info('not shown at warn');
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['Incorrect API key provided.', 'API key not valid.']);
  });
});
