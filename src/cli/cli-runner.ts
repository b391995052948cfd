import 'reflect-metadata';
import { loadConfig, type Config } from '../config';
import { openDatabase, type Database } from '../db/database';
import { AppError } from '../errors';
import { createLogger, type Logger } from '../logger';

export interface CliContext {
  config: Config;
  database: Database;
  logger: Logger;
}

/**
 * Config, a logger and the service's database (embedded unless DATABASE_URL is
 * set, migrations applied), closed when `run` settles. Command output is for
 * people, so the log shows warnings and worse unless LOG_LEVEL asks for more.
 */
export async function withDatabase<T>(run: (context: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  try {
    return await run({ config, database, logger });
  } finally {
    await database.close();
  }
}

/**
 * Runs a command-line entry point: the number `main` returns is the exit code;
 * a failure prints one line (with a stack only for errors nobody anticipated).
 */
export function runCli(name: string, main: (args: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message =
        error instanceof AppError
          ? error.message
          : error instanceof Error
            ? (error.stack ?? error.message)
            : String(error);
      process.stderr.write(`parley ${name}: ${message}\n`);
      process.exit(1);
    },
  );
}
