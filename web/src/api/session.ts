import { ApiError, CONSOLE_HEADER } from './client';

export interface SessionInfo {
  signedIn: boolean;
  graphiql: boolean;
  tenantId?: string;
  tenantName?: string;
  keyName?: string;
  keyPrefix?: string;
  scopes?: string[];
  expiresAt?: string;
}

export async function fetchSession(): Promise<SessionInfo> {
  const response = await fetch('/admin/session', {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new ApiError(`Could not read the session (${response.status})`, 'INTERNAL', response.status);
  return response.json();
}

/** Sends the key once; the server answers with the session cookie. The key is not kept anywhere. */
export async function signIn(key: string): Promise<void> {
  const response = await fetch('/admin/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', [CONSOLE_HEADER]: '1' },
    body: JSON.stringify({ key }),
  });
  if (response.ok) return;
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  throw new ApiError(
    body?.error?.message ?? `Sign-in failed (${response.status})`,
    body?.error?.code ?? 'INTERNAL',
    response.status,
  );
}

export async function signOut(): Promise<void> {
  await fetch('/admin/session', { method: 'DELETE', credentials: 'same-origin', headers: { [CONSOLE_HEADER]: '1' } });
}
