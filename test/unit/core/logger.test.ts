import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
  };
}

describe('logger', () => {
  it('writes JSON lines and redacts secrets wherever they sit', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info(
      {
        tenant: { name: 'shop', apiKey: 'sk-live-1', authToken: 'tw-2' },
        config: { OPENAI_API_KEY: 'sk-env-3', PORT: 3000 },
        req: { headers: { authorization: 'Bearer pk_4', 'x-twilio-signature': 'sig-5' } },
        token: 'tok-6',
      },
      'hello',
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of ['sk-live-1', 'tw-2', 'sk-env-3', 'pk_4', 'sig-5', 'tok-6'])
      expect(text).not.toContain(secret);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'hello',
      service: 'parley',
      tenant: { name: 'shop', apiKey: '[redacted]' },
      config: { PORT: 3000 },
    });
  });
});
