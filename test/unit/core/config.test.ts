import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { ConfigError } from '../../../src/errors';

const noDotenv = { dotenvPath: false as const };
// A key from `openssl rand -hex 32`; weak-looking keys (all 'a') are refused now.
const validKey = '6a808fe111ab6c29e4d95e4151ede5e66b39b4ff148463e84e5c0b8274aadcbd';
const validBase64Key = 'ymWpfUg2lViJqGbsD+d3Q53dlv86DMHX+n9ikeN6O2U=';

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment', () => {
    const config = loadConfig({}, noDotenv);
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.NODE_ENV).toBe('development');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SEED_DEMO).toBe(true);
    expect(config.trustProxy).toBe(false);
    expect(config.secretKey).toBeNull();
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.embeddedDbDir).toBe(path.resolve('.parley/db'));
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://root@localhost/db'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['SEED_DEMO', 'maybe'],
    ['DATABASE_POOL_MAX', '0'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    const error = errorOf(() => loadConfig({ [name]: value }, noDotenv));
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).not.toContain('\n');
  });

  it('never echoes a secret value in the error', () => {
    const error = errorOf(() => loadConfig({ PARLEY_SECRET_KEY: 'hunter2-not-a-key' }, noDotenv));
    expect(error.variable).toBe('PARLEY_SECRET_KEY');
    expect(error.message).not.toContain('hunter2');
  });

  it('accepts a hex or base64 secret key of 32 bytes', () => {
    expect(loadConfig({ PARLEY_SECRET_KEY: validKey }, noDotenv).secretKey?.length).toBe(32);
    expect(loadConfig({ PARLEY_SECRET_KEY: validBase64Key }, noDotenv).secretKey).toEqual(
      Buffer.from(validBase64Key, 'base64'),
    );
  });

  it.each([
    ['64 zeros', '0'.repeat(64)],
    ['all-same bytes', 'a'.repeat(64)],
    ['a repeated short pattern', 'deadbeef'.repeat(8)],
    ['a counting sequence', Buffer.from(Array.from({ length: 32 }, (_unused, index) => index)).toString('hex')],
    ['the same bytes in base64', Buffer.alloc(32, 7).toString('base64')],
    ['a lower-case phrase decoded as base64', 'correcthorsebatterystaplecorrecthorsebatter'],
    ['a phrase with padding', 'thisismysupersecretpasswordforparleyproduct='],
    ['a non-canonical base64 text', validBase64Key.slice(0, 43)],
  ])('refuses a weak PARLEY_SECRET_KEY: %s', (_name, value) => {
    const error = errorOf(() => loadConfig({ PARLEY_SECRET_KEY: value }, noDotenv));
    expect(error.variable).toBe('PARLEY_SECRET_KEY');
    expect(error.message).toMatch(/too weak|must be 32 bytes/);
    expect(error.message).not.toContain(value);
  });

  it('seeds the demo tenant by default except in production, unless asked for', () => {
    expect(loadConfig({}, noDotenv).SEED_DEMO).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', PARLEY_SECRET_KEY: validKey }, noDotenv).SEED_DEMO).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', PARLEY_SECRET_KEY: validKey, SEED_DEMO: 'true' }, noDotenv).SEED_DEMO,
    ).toBe(true);
  });

  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.1, 192.168.0.0/16,::1', ['10.0.0.1', '192.168.0.0/16', '::1']],
  ])('reads TRUST_PROXY=%p as Express accepts it', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }, noDotenv).trustProxy).toEqual(expected);
  });

  it.each(['everyone', '10.0.0.1/40', '300.1.1.1', '-1'])('rejects TRUST_PROXY=%s', (value) => {
    expect(errorOf(() => loadConfig({ TRUST_PROXY: value }, noDotenv)).variable).toBe('TRUST_PROXY');
  });

  it('requires PARLEY_SECRET_KEY in production', () => {
    expect(errorOf(() => loadConfig({ NODE_ENV: 'production' }, noDotenv)).variable).toBe('PARLEY_SECRET_KEY');
    expect(loadConfig({ NODE_ENV: 'production', PARLEY_SECRET_KEY: validKey }, noDotenv).NODE_ENV).toBe('production');
  });

  it('reads a .env file, with the real environment taking precedence', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-env-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, 'PORT=4100\nLOG_LEVEL=debug\n');
    try {
      const config = loadConfig({ LOG_LEVEL: 'warn' }, { dotenvPath: file });
      expect(config.PORT).toBe(4100);
      expect(config.LOG_LEVEL).toBe('warn');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('derives the public URL from PORT and strips a trailing slash', () => {
    expect(loadConfig({ PORT: '8080' }, noDotenv).publicBaseUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://parley.example.com/' }, noDotenv).publicBaseUrl).toBe(
      'https://parley.example.com',
    );
  });
});
