import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { weakKeyReason } from '../security/key-strength';
import { alertsSettings } from './alerts';
import { channelsSettings } from './channels';
import { controlPlaneSettings } from './control-plane';
import { engineSettings } from './engine';
import { providersSettings } from './providers';
import { decodeKey } from './secret-key';
import { serverSettings } from './server';
import type { Setting } from './setting';
import { storageSettings } from './storage';
import { parseTrustProxy, type TrustProxy } from './trust-proxy';

export { decodeKey } from './secret-key';
export { parseTrustProxy, type TrustProxy } from './trust-proxy';

/**
 * The only reader of process.env. Every setting is declared once, in the file
 * of its area (server, storage, control plane, providers, engine, channels,
 * alerts), with its default and a human sentence saying what a valid value
 * looks like; docs/configuration.md (its table) mirrors the list, and .env.example
 * is generated from it (`npm run env:example`, src/config/env-example.ts).
 */
export const settingAreas = {
  server: serverSettings,
  storage: storageSettings,
  'control-plane': controlPlaneSettings,
  providers: providersSettings,
  engine: engineSettings,
  channels: channelsSettings,
  alerts: alertsSettings,
} as const;

export const settings = {
  ...serverSettings,
  ...storageSettings,
  ...controlPlaneSettings,
  ...providersSettings,
  ...engineSettings,
  ...channelsSettings,
  ...alertsSettings,
};

type Settings = typeof settings;
export type Config = {
  [K in keyof Settings]: z.infer<Settings[K]['schema']>;
} & {
  secretKey: Buffer | null;
  embeddedDbDir: string;
  publicBaseUrl: string;
  runbookBaseUrl: string;
  SEED_DEMO: boolean;
  trustProxy: TrustProxy;
};

/**
 * Parse and validate the environment. Throws a ConfigError naming the first bad
 * variable; nothing else in the code reads process.env.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { dotenvPath?: string | false } = {},
): Config {
  const merged: Record<string, string | undefined> = { ...env };
  const dotenvPath = options.dotenvPath === undefined ? path.resolve('.env') : options.dotenvPath;
  if (dotenvPath && fs.existsSync(dotenvPath)) {
    const parsed = dotenv.parse(fs.readFileSync(dotenvPath));
    for (const [key, value] of Object.entries(parsed)) if (merged[key] === undefined) merged[key] = value;
  }
  const result: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings) as [string, Setting][]) {
    const raw = merged[name];
    const value = raw === undefined || raw === '' ? setting.default : raw;
    const parsed = setting.schema.safeParse(value);
    if (!parsed.success) throw new ConfigError(name, `${setting.expectation} (got ${describe(name, raw)})`);
    result[name] = parsed.data;
  }
  const config = result as Config;
  config.secretKey = config.PARLEY_SECRET_KEY ? decodeKey(config.PARLEY_SECRET_KEY) : null;
  const weakness = config.secretKey ? weakKeyReason(config.PARLEY_SECRET_KEY!, config.secretKey) : null;
  if (weakness)
    throw new ConfigError('PARLEY_SECRET_KEY', `is too weak: ${weakness}; generate one with: openssl rand -hex 32`);
  config.SEED_DEMO = config.SEED_DEMO ?? config.NODE_ENV !== 'production';
  config.trustProxy = parseTrustProxy(config.TRUST_PROXY) ?? false;
  config.publicBaseUrl = (config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
  config.runbookBaseUrl = config.ALERT_RUNBOOK_BASE_URL ?? `${config.publicBaseUrl}/runbooks/`;
  config.embeddedDbDir = path.resolve(config.EMBEDDED_DB_DIR ?? path.join(config.PARLEY_DATA_DIR, 'db'));
  if (config.WEB_CONCURRENCY > 1 && !config.DATABASE_URL)
    throw new ConfigError(
      'WEB_CONCURRENCY',
      `above 1 needs DATABASE_URL (got ${config.WEB_CONCURRENCY} without it): the workers share one PostgreSQL, and the embedded one belongs to a single process`,
    );
  if (config.NODE_ENV === 'production' && !config.secretKey) {
    throw new ConfigError(
      'PARLEY_SECRET_KEY',
      'is required in production (64 hex characters; generate one with: openssl rand -hex 32)',
    );
  }
  return config;
}

function describe(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'nothing';
  if (/KEY|SECRET|TOKEN|PASSWORD/.test(name)) return 'a value that is hidden';
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
}
