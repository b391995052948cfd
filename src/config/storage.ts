import { z } from 'zod';
import { booleanString, port, positiveInt, type Setting, url } from './setting';
import { decodeKey } from './secret-key';

/** Storage and secrets: PostgreSQL (external or embedded), local state, the secret key, demo data, retention. */
export const storageSettings = {
  DATABASE_URL: {
    schema: url.refine((value) => /^postgres(ql)?:\/\//.test(value)).optional(),
    expectation: 'must be a postgres:// connection URL',
  },
  DATABASE_POOL_MAX: {
    schema: positiveInt,
    default: '10',
    expectation: 'must be a positive integer (connections in the pool)',
  },
  PARLEY_DATA_DIR: { schema: z.string().min(1), default: './.parley', expectation: 'must be a directory path' },
  EMBEDDED_DB_DIR: {
    schema: z.string().min(1).optional(),
    expectation: 'must be a directory path (default: $PARLEY_DATA_DIR/db)',
  },
  EMBEDDED_DB_PORT: { schema: port.optional(), expectation: 'must be a TCP port number (default: a free port)' },
  PARLEY_SECRET_KEY: {
    schema: z
      .string()
      .refine((value) => decodeKey(value) !== null)
      .optional(),
    expectation: 'must be 32 bytes as 64 hex characters or base64 (generate one with: openssl rand -hex 32)',
  },
  SEED_DEMO: {
    schema: booleanString.optional(),
    expectation: 'must be true or false (default: true, false when NODE_ENV=production)',
  },
  JOBS_ENABLED: {
    schema: booleanString.optional(),
    expectation: 'must be true or false (scheduled jobs; default true, false when NODE_ENV=test)',
  },
  USAGE_RETENTION_DAYS: {
    schema: positiveInt,
    default: '90',
    expectation: 'must be a positive integer (days provider usage rows are kept; daily summaries are kept for good)',
  },
  USAGE_CLEANUP_BATCH_SIZE: {
    schema: positiveInt,
    default: '5000',
    expectation: 'must be a positive integer (usage rows deleted per statement by the weekly cleanup)',
  },
} satisfies Record<string, Setting>;
