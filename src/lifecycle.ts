import type { Logger } from './logger';

type Step = { name: string; run: () => Promise<void> | void };

/**
 * Shutdown steps run in the reverse order of registration, so the last thing
 * started (the HTTP listener) stops first and the database closes last.
 */
export class Lifecycle {
  private readonly steps: Step[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly logger: Logger) {}

  onShutdown(name: string, run: Step['run']): void {
    this.steps.push({ name, run });
  }

  shutdown(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info({ reason }, 'shutting down');
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
          this.logger.debug({ step: step.name }, 'stopped');
        } catch (error) {
          this.logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      this.logger.info('stopped');
    })();
    return this.stopping;
  }
}
