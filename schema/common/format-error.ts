import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, type ErrorCode } from '../../src/errors';
import type { Logger } from '../../src/logger';

/** Stable GraphQL error codes clients may switch on. */
const CODE_BY_APP_ERROR: Record<ErrorCode, string> = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  CONFIG_INVALID: 'INTERNAL_SERVER_ERROR',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** Codes Apollo and graphql-armor produce for malformed requests; their messages are safe to show. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/**
 * The one place errors leave the API: AppError codes become stable GraphQL
 * codes with their (user-facing) message; request errors pass through;
 * anything else is logged and becomes INTERNAL_SERVER_ERROR without detail,
 * so SQL, stack traces and file paths never reach a client.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // Errors from resolvers arrive wrapped with a path; others (e.g. from plugins) carry the AppError as originalError.
    const original =
      unwrapped instanceof AppError
        ? unwrapped
        : error instanceof GraphQLError && error.originalError instanceof AppError
          ? error.originalError
          : unwrapped;
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof AppError) {
      const code = CODE_BY_APP_ERROR[original.code];
      if (code === 'INTERNAL_SERVER_ERROR') {
        logger.error({ err: original, path: formatted.path }, 'GraphQL internal error');
        return { ...base, message: 'Internal error', extensions: { code } };
      }
      const extensions: Record<string, unknown> = { code };
      for (const key of ['field', 'retryAfterSeconds', 'requiredScopes', 'status'] as const) {
        if (original.details?.[key] !== undefined) extensions[key] = original.details[key];
      }
      return { ...base, message: original.message, extensions };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && REQUEST_CODES.has(code)) return { ...base, extensions: { code } };
    logger.error({ err: original, path: formatted.path }, 'GraphQL internal error');
    return { ...base, message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
