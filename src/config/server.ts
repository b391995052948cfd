import { z } from 'zod';
import { port, positiveInt, type Setting, url } from './setting';
import { parseTrustProxy } from './trust-proxy';

/** Server: the HTTP listener, its public address, proxies, metrics and shutdown. */
export const serverSettings = {
  NODE_ENV: {
    schema: z.enum(['development', 'production', 'test']),
    default: 'development',
    expectation: 'must be one of development, production, test',
  },
  HOST: {
    schema: z.string().min(1),
    default: '0.0.0.0',
    expectation: 'must be a host name or IP address to listen on',
  },
  PORT: { schema: port, default: '3000', expectation: 'must be a TCP port number between 0 and 65535' },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    expectation: 'must be one of fatal, error, warn, info, debug, trace, silent',
  },
  PUBLIC_BASE_URL: {
    schema: url.optional(),
    expectation:
      'must be the absolute URL the service is reachable at, as platforms call it (e.g. https://parley.example.com; default http://localhost:$PORT)',
  },
  TRUST_PROXY: {
    schema: z.string().refine((value) => parseTrustProxy(value) !== undefined),
    default: 'false',
    expectation:
      'must be false, true, a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs (loopback, linklocal, uniquelocal allowed) as Express\'s "trust proxy" accepts',
  },
  METRICS_TOKEN: {
    schema: z.string().min(16).optional(),
    expectation: 'must be at least 16 characters; when set, GET /metrics needs Authorization: Bearer <token>',
  },
  METRICS_PORT: {
    schema: port.optional(),
    expectation: 'must be a TCP port number; when set, /metrics is served only there (on METRICS_HOST) and not on PORT',
  },
  METRICS_HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    expectation: 'must be a host name or IP address for the METRICS_PORT listener',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: positiveInt,
    default: '10000',
    expectation: 'must be a positive integer (milliseconds)',
  },
  WEB_CONCURRENCY: {
    schema: positiveInt.max(64),
    default: '1',
    expectation:
      'must be a whole number from 1 to 64 (worker processes under one supervisor sharing PORT; 1 = a single process; above 1 needs DATABASE_URL)',
  },
} satisfies Record<string, Setting>;
