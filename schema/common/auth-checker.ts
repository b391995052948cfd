import type { AuthChecker } from 'type-graphql';
import { AppError } from '../../src/errors';
import type { GraphqlContext } from './context';

/**
 * `@Authorized('scope', ...)`: the caller needs any one of the listed scopes.
 * No (or an invalid) key is UNAUTHENTICATED; a valid key without the scope is
 * FORBIDDEN, naming the scope needed so the operator knows which key to use.
 */
export const scopeAuthChecker: AuthChecker<GraphqlContext> = ({ context }, scopes) => {
  const caller = context.caller;
  if (!caller) {
    throw new AppError(
      'UNAUTHENTICATED',
      'Send a valid API key: Authorization: Bearer <key> (create one with npm run keys -- create)',
    );
  }
  if (!scopes.length || scopes.some((scope) => (caller.scopes as readonly string[]).includes(scope))) return true;
  throw new AppError('FORBIDDEN', `This API key lacks the scope ${scopes.join(' or ')}; use a key that has it`, {
    requiredScopes: scopes,
  });
};
