/**
 * Errors that cross a boundary carry a stable code. Resolvers, HTTP handlers
 * and the CLI map the code to a status; the message tells the caller what to do.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'CONFIG_INVALID'
  | 'PROVIDER_ERROR'
  | 'INTERNAL';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A configuration value that cannot be used; `variable` names the environment variable. */
export class ConfigError extends AppError {
  constructor(
    readonly variable: string,
    readonly expectation: string,
  ) {
    super('CONFIG_INVALID', `Invalid configuration: ${variable} ${expectation}`);
    this.name = 'ConfigError';
  }
}

export function notFound(what: string, id?: string): AppError {
  return new AppError('NOT_FOUND', id ? `${what} ${id} was not found` : `${what} was not found`);
}

export function badInput(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('BAD_USER_INPUT', message, details);
}
