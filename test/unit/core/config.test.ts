import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { ConfigError } from '../../../src/errors';

const noDotenv = { dotenvPath: false as const };
const validKey = 'a'.repeat(64);

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
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ PARLEY_SECRET_KEY: base64 }, noDotenv).secretKey).toEqual(Buffer.alloc(32, 7));
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
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://parley.example.com/' }, noDotenv).publicBaseUrl).toBe('https://parley.example.com');
  });
});
