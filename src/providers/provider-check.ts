/**
 * A start-up check of the model providers configured in the environment: one
 * cheap authenticated request each (the vendor's model list), so a rejected
 * key or a wrong base URL is said once, in words a person can act on, instead
 * of as a warning on every customer turn. The result also goes into /readyz.
 * Tenant keys (stored secrets) are checked when they are used, not here.
 */
export type ProviderCheckStatus = 'ok' | 'rejected' | 'wrong_url' | 'unreachable' | 'error' | 'not_configured';

export interface ProviderCheck {
  provider: 'openai' | 'gemini';
  status: ProviderCheckStatus;
  /** What to do about it (null when ok). */
  detail: string | null;
  /** The URL asked (without the key). */
  url: string | null;
}

export interface ProviderCheckSettings {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  GEMINI_API_KEY?: string;
  GEMINI_BASE_URL?: string;
}

const OPENAI_DEFAULT = 'https://api.openai.com/v1';
const GEMINI_DEFAULT = 'https://generativelanguage.googleapis.com';

async function probe(
  provider: ProviderCheck['provider'],
  url: string,
  headers: Record<string, string>,
  names: { key: string; baseUrl: string },
  timeoutMs: number,
): Promise<ProviderCheck> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause =
      error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.name) : String(error);
    return {
      provider,
      status: 'unreachable',
      url,
      detail: `${url} did not answer (${cause}): check ${names.baseUrl} and the network`,
    };
  }
  await response.body?.cancel();
  if (response.ok) return { provider, status: 'ok', url, detail: null };
  if (response.status === 401 || response.status === 403 || (provider === 'gemini' && response.status === 400)) {
    return {
      provider,
      status: 'rejected',
      url,
      detail: `the API key was rejected (HTTP ${response.status}): check ${names.key}`,
    };
  }
  if (response.status === 404)
    return { provider, status: 'wrong_url', url, detail: `${url} does not exist (HTTP 404): check ${names.baseUrl}` };
  return { provider, status: 'error', url, detail: `${url} answered HTTP ${response.status}` };
}

/** Checks every provider that has a key in the environment, in parallel, each within `timeoutMs`. */
export async function checkProviders(
  settings: ProviderCheckSettings,
  options: { timeoutMs?: number } = {},
): Promise<ProviderCheck[]> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const checks: Array<Promise<ProviderCheck>> = [];
  if (settings.OPENAI_API_KEY) {
    const base = (settings.OPENAI_BASE_URL ?? OPENAI_DEFAULT).replace(/\/+$/, '');
    checks.push(
      probe(
        'openai',
        `${base}/models`,
        { authorization: `Bearer ${settings.OPENAI_API_KEY}` },
        { key: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
        timeoutMs,
      ),
    );
  }
  if (settings.GEMINI_API_KEY) {
    const base = (settings.GEMINI_BASE_URL ?? GEMINI_DEFAULT).replace(/\/+$/, '');
    checks.push(
      probe(
        'gemini',
        `${base}/v1beta/models`,
        { 'x-goog-api-key': settings.GEMINI_API_KEY },
        { key: 'GEMINI_API_KEY', baseUrl: 'GEMINI_BASE_URL' },
        timeoutMs,
      ),
    );
  }
  return Promise.all(checks);
}

/** The one line a person reads about a failed check. */
export function describeProviderCheck(check: ProviderCheck): string {
  const name = check.provider === 'openai' ? 'OpenAI' : 'Gemini';
  return check.status === 'ok'
    ? `${name}: ok`
    : `${name} is not usable: ${check.detail}; until then parley answers with the other providers and the knowledge base`;
}
