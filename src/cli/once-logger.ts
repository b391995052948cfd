import pino, { type Logger } from 'pino';
import { loggerOptions } from '../logger';

/**
 * A logger for interactive commands (the terminal chat): like the service's,
 * but a warning or error repeated with the same message, provider and code is
 * written only the first time, so a broken provider shows one line instead of
 * one per turn.
 */
export function createOnceLogger(level: string, destination?: pino.DestinationStream): Logger {
  const seen = new Set<string>();
  return pino(
    {
      ...loggerOptions(level),
      hooks: {
        logMethod(args, method, levelNumber) {
          if (levelNumber >= 40) {
            // pino's call shapes: (object, message) or (message); the key ignores per-request fields such as tenantId.
            const [first, second] = args as unknown[];
            const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
            const message = typeof first === 'string' ? first : String(second ?? '');
            const key = `${levelNumber}|${message}|${String(fields.provider ?? '')}|${String(fields.code ?? '')}`;
            if (seen.has(key)) return;
            seen.add(key);
          }
          method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
