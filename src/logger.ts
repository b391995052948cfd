import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line, wherever they appear. */
export const redactedPaths = [
  'password',
  'secret',
  'token',
  'apiKey',
  'authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.apiKeys',
  '*.authToken',
  '*.providerKeys',
  '*.secretKey',
  '*.PARLEY_SECRET_KEY',
  '*.OPENAI_API_KEY',
  '*.GEMINI_API_KEY',
  '*.TWILIO_AUTH_TOKEN',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-slack-signature"]',
  'headers.authorization',
];

/** parley's log format: JSON lines with an ISO time, `service: parley`, the level by name, secrets redacted. */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { service: 'parley' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(loggerOptions(level), destination);
}
