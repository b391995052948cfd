import { GraphQLError } from 'graphql';
import { createFormatError } from '../../../schema/common/format-error';
import { AppError } from '../../../src/errors';
import { createLogger } from '../../../src/logger';

describe('formatError', () => {
  const format = createFormatError(createLogger('silent'));

  it('maps AppError codes to stable codes with the user-facing message and safe details', () => {
    const error = new GraphQLError('x', {
      originalError: new AppError('RATE_LIMITED', 'Too many; try again in 5 s', {
        retryAfterSeconds: 5,
        sql: 'select',
      }),
    });
    expect(format({ message: 'x', path: ['submitFeedback'] }, error)).toEqual({
      message: 'Too many; try again in 5 s',
      path: ['submitFeedback'],
      locations: undefined,
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 5 },
    });
  });

  it('hides anything else behind INTERNAL_SERVER_ERROR', () => {
    const leak = new GraphQLError('relation "tenant" does not exist', {
      originalError: new Error('relation "tenant" does not exist at /work/main/src/x.ts'),
    });
    const formatted = format(
      { message: leak.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
      leak,
    );
    expect(formatted).toEqual({
      message: 'Internal error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
      locations: undefined,
      path: undefined,
    });
    const config = new GraphQLError('x', { originalError: new AppError('CONFIG_INVALID', 'secret key bad') });
    expect(format({ message: 'x' }, config).message).toBe('Internal error');
  });

  it('passes request errors (validation, parsing) through with their code', () => {
    const invalid = new GraphQLError('Cannot query field "nope" on type "Query".');
    expect(
      format({ message: invalid.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, invalid).extensions,
    ).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});
