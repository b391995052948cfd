import type { EntityManager } from '@mikro-orm/postgresql';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { AppError } from '../../errors';
import { clientPerKey } from '../../providers/client-per-key';
import { ProviderKeyStore } from '../../providers/provider-keys';
import type { SecretBox } from '../../security/secret-box';

/** The OpenAI client a tenant's fine-tuning calls go through (its own key, else OPENAI_API_KEY). */
export type FineTuningClientFactory = (tenantId: string) => Promise<OpenAI>;

export interface FineTuningClientOptions {
  /** The root entity manager: tenant secrets are read through it. */
  em: EntityManager;
  /** Decrypts the tenant secret `openaiApiKey`; without it only the environment key is used. */
  secretBox?: SecretBox | null;
  /** OPENAI_API_KEY. */
  apiKey?: string;
  /** OPENAI_BASE_URL (undefined: api.openai.com). */
  baseUrl?: string;
}

/**
 * Clients for the Files and Fine-tuning APIs, resolving keys exactly as the
 * provider layer does (ProviderKeyStore: the tenant's own key before the
 * environment's) and pointing at OPENAI_BASE_URL. `maxRetries: 0`: a failed
 * poll is simply retried by the next run of the polling job, and a failed
 * submission is recorded for the person who started it.
 */
export function createFineTuningClients(options: FineTuningClientOptions): FineTuningClientFactory {
  const keys = new ProviderKeyStore({
    em: options.em,
    secretBox: options.secretBox,
    environment: { openai: options.apiKey },
    ttlMs: 0,
  });
  const clientFor = clientPerKey((apiKey) => new OpenAI({ apiKey, baseURL: options.baseUrl, maxRetries: 0 }));
  return async (tenantId) => {
    const apiKey = await keys.keyFor(tenantId, 'openai');
    if (!apiKey)
      throw new AppError(
        'BAD_USER_INPUT',
        'No OpenAI API key for fine-tuning: set OPENAI_API_KEY or the tenant secret openaiApiKey',
      );
    return clientFor(apiKey);
  };
}

/** One line about an SDK failure, for the job's record: status and OpenAI's message, or the network cause. */
export function describeOpenAiFailure(error: unknown): { code: string; message: string; retryable: boolean } {
  if (error instanceof APIError && typeof error.status === 'number') {
    const retryable = error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
    return { code: `http_${error.status}`, message: `OpenAI answered ${error.status}: ${error.message}`, retryable };
  }
  if (error instanceof APIConnectionError)
    return {
      code: 'network',
      message: `OpenAI could not be reached: ${error.message}. Check OPENAI_BASE_URL.`,
      retryable: true,
    };
  if (error instanceof AppError) return { code: error.code.toLowerCase(), message: error.message, retryable: false };
  return { code: 'error', message: error instanceof Error ? error.message : String(error), retryable: false };
}
