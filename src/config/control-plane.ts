import { z } from 'zod';
import { booleanString, positiveInt, type Setting } from './setting';

/** Control plane: GraphQL limits and introspection, GraphiQL, the admin console, the public feedback mutation. */
export const controlPlaneSettings = {
  GRAPHQL_INTROSPECTION: {
    schema: booleanString.optional(),
    expectation:
      'must be true or false (default: open to everyone outside production; in production only to callers with an API key)',
  },
  GRAPHIQL_ENABLED: {
    schema: booleanString.optional(),
    expectation: 'must be true or false (default: true unless NODE_ENV is production)',
  },
  CONSOLE_SESSION_HOURS: {
    schema: z.coerce.number().positive().max(720),
    default: '12',
    expectation: 'must be a positive number of hours, at most 720 (how long an admin-console sign-in lasts)',
  },
  GRAPHQL_MAX_DEPTH: {
    schema: positiveInt,
    default: '10',
    expectation: 'must be a positive integer (deepest field nesting a GraphQL query may have)',
  },
  GRAPHQL_MAX_COST: {
    schema: positiveInt,
    default: '10000',
    expectation: 'must be a positive integer (graphql-armor cost units a GraphQL query may spend)',
  },
  FEEDBACK_TOKEN_TTL_DAYS: {
    schema: positiveInt,
    default: '30',
    expectation: 'must be a positive integer (days a feedback link works after it is issued)',
  },
  FEEDBACK_RATE_LIMIT: {
    schema: positiveInt,
    default: '20',
    expectation:
      'must be a positive integer (public submitFeedback calls allowed per IP and per token each FEEDBACK_RATE_WINDOW_SECONDS)',
  },
  FEEDBACK_RATE_WINDOW_SECONDS: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (seconds of the submitFeedback rate-limit window)',
  },
} satisfies Record<string, Setting>;
