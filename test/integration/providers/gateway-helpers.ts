import crypto from 'node:crypto';
import { Registry } from 'prom-client';
import { DomainEvents } from '../../../src/events';
import {
  createModelGateway,
  type ModelGatewayDependencies,
  type ProviderConfig,
  type ProviderGateway,
} from '../../../src/providers/gateway';
import { SecretBox } from '../../../src/security/secret-box';
import type { TestDatabase } from '../../helpers/database';

/** Settings for gateway tests: no keys, tiny timeouts; override per test. */
export const baseProviderConfig: ProviderConfig = {
  OPENAI_API_KEY: undefined,
  OPENAI_BASE_URL: undefined,
  GEMINI_API_KEY: undefined,
  GEMINI_BASE_URL: undefined,
  PROVIDER_TIMEOUT_MS: 2_000,
  PROVIDER_TURN_BUDGET_MS: 8_000,
  PROVIDER_MAX_RETRIES: 2,
  HEALTH_WINDOW_MINUTES: 60,
  CIRCUIT_FAILURE_RATE: 0.5,
  CIRCUIT_MIN_CALLS: 5,
  CIRCUIT_WINDOW_CALLS: 10,
  CIRCUIT_WINDOW_SECONDS: 60,
  CIRCUIT_COOLDOWN_MS: 30_000,
  KB_CONFIDENCE_THRESHOLD: 0.45,
  KB_RETRIEVAL_K: 3,
  KB_MIN_MARGIN: 0.02,
  RESPONSE_CACHE_TTL_MS: 60_000,
  ROUTE_CACHE_TTL_MS: 300_000,
};

export interface GatewayUnderTest {
  gateway: ProviderGateway;
  registry: Registry;
  events: DomainEvents;
  /** Every backoff the failover layer asked to sleep, in order (sleeps return at once). */
  sleeps: number[];
  clock: { now: number };
}

export const secretBox = new SecretBox(crypto.randomBytes(32));

export function gatewayFor(
  database: TestDatabase,
  config: Partial<ProviderConfig> = {},
  providers?: ModelGatewayDependencies['providers'],
): GatewayUnderTest {
  const registry = new Registry();
  const events = new DomainEvents();
  const sleeps: number[] = [];
  const clock = { now: 1_800_000_000_000 };
  const gateway = createModelGateway({
    config: { ...baseProviderConfig, ...config },
    em: database.orm.em,
    secretBox,
    registry,
    events,
    now: () => clock.now,
    providers,
    failover: {
      sleep: async (milliseconds) => {
        sleeps.push(milliseconds);
      },
      random: () => 0.5,
    },
  });
  return { gateway, registry, events, sleeps, clock };
}
