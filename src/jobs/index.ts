import cron, { type ScheduledTask } from 'node-cron';
import { INSTANCE_ID } from '../db/shared-state/instance-bus';
import { JOBS, runJob, type JobContext, type JobName } from './job-registry';

export { JOBS, JobMetrics, runJob, isJobName, type JobContext, type JobName } from './job-registry';
export { ProviderHealthGauges } from './provider-health-metrics';

export interface ScheduledJobs {
  /** Each job's next run, for start-up logs. */
  nextRuns(): Record<JobName, Date | null>;
  /** Stops scheduling and waits for runs in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Schedules every job with node-cron (the only importer of node-cron), in UTC,
 * never overlapping itself in this process; the advisory lock in `runJob`
 * keeps other instances from running the same job at the same time, and the
 * slot it claims (the scheduled minute, in `job_run_slot`) from running it
 * again for the same minute after the first instance finished.
 */
export function scheduleJobs(context: JobContext): ScheduledJobs {
  const running = new Set<Promise<unknown>>();
  const tasks = new Map<JobName, ScheduledTask>();
  for (const job of Object.values(JOBS)) {
    const task = cron.schedule(
      job.schedule,
      () => {
        const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000);
        // runJob logged and counted the failure.
        const run = runJob(job.name, context, { slot: { slot, instance: INSTANCE_ID } }).catch(() => undefined);
        running.add(run);
        return run.finally(() => running.delete(run));
      },
      { name: `parley:${job.name}`, timezone: 'Etc/UTC', noOverlap: true },
    );
    tasks.set(job.name, task);
  }
  return {
    nextRuns() {
      const result = {} as Record<JobName, Date | null>;
      for (const [name, task] of tasks) result[name] = task.getNextRun();
      return result;
    },
    async stop() {
      for (const task of tasks.values()) await task.destroy();
      await Promise.allSettled([...running]);
    },
  };
}
