/**
 * The typed GraphQL client. Every request goes to /graphql with the session
 * cookie (HttpOnly: the page never sees it) and the console header the server
 * requires of cookie requests (its CSRF rule). The API key is never stored in
 * the browser.
 */
export const CONSOLE_HEADER = 'x-parley-console';

/** A GraphQL document with its result and variables types attached. */
export interface TypedDocument<TData, TVariables> {
  query: string;
  /** Phantom fields: carry the types, never set. */
  readonly __data?: TData;
  readonly __variables?: TVariables;
}

export function gql<TData, TVariables = Record<string, never>>(query: string): TypedDocument<TData, TVariables> {
  return { query };
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the server says the session is gone (expired, signed out elsewhere, key revoked). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export async function request<TData, TVariables>(
  document: TypedDocument<TData, TVariables>,
  variables?: TVariables,
): Promise<TData> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', [CONSOLE_HEADER]: '1' },
      body: JSON.stringify({ query: document.query, variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('parley could not be reached: check your connection and try again.', 'NETWORK', 0);
  }
  type Body = { data?: TData; errors?: { message: string; extensions?: { code?: string } }[] };
  let body: Body;
  try {
    body = (await response.json()) as Body;
  } catch {
    throw new ApiError(`parley answered ${response.status} without a GraphQL body.`, 'INTERNAL', response.status);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'INTERNAL';
    if (code === 'UNAUTHENTICATED') for (const listener of signedOutListeners) listener();
    throw new ApiError(first.message, code, response.status);
  }
  if (!body.data) throw new ApiError('Empty answer from parley.', 'INTERNAL', response.status);
  return body.data;
}
