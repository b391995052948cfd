import { z } from 'zod';
import { positiveInt, type Setting, url } from './setting';

/** Model providers: keys and endpoints, time budgets, retries, health and circuits, caches. */
export const providersSettings = {
  OPENAI_API_KEY: {
    schema: z.string().min(1).optional(),
    expectation: 'must be an OpenAI API key (tenants may store their own; without any key OpenAI is skipped)',
  },
  OPENAI_BASE_URL: {
    schema: url.optional(),
    expectation:
      'must be the absolute URL of an OpenAI-compatible API, including /v1 (e.g. http://localhost:11434/v1 for Ollama; default https://api.openai.com/v1)',
  },
  GEMINI_API_KEY: {
    schema: z.string().min(1).optional(),
    expectation: 'must be a Gemini API key (tenants may store their own; without any key Gemini is skipped)',
  },
  GEMINI_BASE_URL: {
    schema: url.optional(),
    expectation:
      'must be the absolute URL of the Gemini API, without the version (default https://generativelanguage.googleapis.com)',
  },
  PROVIDER_TIMEOUT_MS: {
    schema: positiveInt,
    default: '30000',
    expectation: 'must be a positive integer (milliseconds one provider call may take at most before failing over)',
  },
  PROVIDER_TURN_BUDGET_MS: {
    schema: positiveInt,
    default: '8000',
    expectation: 'must be a positive integer (milliseconds all model calls of one turn may take together)',
  },
  PROVIDER_MAX_RETRIES: {
    schema: z.coerce.number().int().min(0).max(10),
    default: '2',
    expectation: 'must be an integer from 0 to 10 (retries of one provider on retryable errors)',
  },
  HEALTH_WINDOW_MINUTES: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (minutes of provider health history)',
  },
  CIRCUIT_FAILURE_RATE: {
    schema: z.coerce.number().gt(0).max(1),
    default: '0.5',
    expectation: 'must be a number above 0 and at most 1 (failure rate that opens a provider circuit)',
  },
  CIRCUIT_MIN_CALLS: {
    schema: positiveInt,
    default: '5',
    expectation: 'must be a positive integer (calls in the recent window before a circuit may open)',
  },
  CIRCUIT_WINDOW_CALLS: {
    schema: positiveInt,
    default: '10',
    expectation: 'must be a positive integer (the most recent calls a circuit judges)',
  },
  CIRCUIT_WINDOW_SECONDS: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (seconds: calls older than this do not count towards opening a circuit)',
  },
  CIRCUIT_COOLDOWN_MS: {
    schema: positiveInt,
    default: '30000',
    expectation: 'must be a positive integer (milliseconds an open circuit waits before a probe)',
  },
  RESPONSE_CACHE_TTL_MS: {
    schema: z.coerce.number().int().min(0),
    default: '60000',
    expectation: 'must be a non-negative integer (milliseconds; 0 disables the response cache)',
  },
  ROUTE_CACHE_TTL_MS: {
    schema: z.coerce.number().int().min(0),
    default: '300000',
    expectation: 'must be a non-negative integer (milliseconds the provider selection is cached)',
  },
} satisfies Record<string, Setting>;
