import { createContext, useContext } from 'react';
import type { SessionInfo } from './api/session';
import { hasAnyScope, type Scope } from './lib/pages';

export const SessionContext = createContext<SessionInfo>({ signedIn: false, graphiql: false });

/** Whether the signed-in key has any of these scopes (buttons and forms follow it). */
export function useCan(...scopes: Scope[]): boolean {
  const session = useContext(SessionContext);
  return hasAnyScope(session.scopes ?? [], scopes);
}

export function useSession(): SessionInfo {
  return useContext(SessionContext);
}
