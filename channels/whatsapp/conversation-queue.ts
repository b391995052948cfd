/**
 * An in-process work queue: tasks with the same key (a conversation) run one at
 * a time in the order they were pushed; different keys run in parallel, at most
 * `concurrency` at once. It holds no durable state: every task it runs is also
 * recorded in the database, so tasks lost with the process are found again by
 * start-up recovery.
 */
export class ConversationQueue {
  private readonly pending = new Map<string, (() => Promise<void>)[]>();
  private readonly ready: string[] = [];
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly onError: (error: unknown, key: string) => void,
  ) {}

  /** Tasks waiting or running. */
  get size(): number {
    let waiting = 0;
    for (const tasks of this.pending.values()) waiting += tasks.length;
    return waiting + this.running;
  }

  push(key: string, task: () => Promise<void>): void {
    if (this.stopped) return;
    const tasks = this.pending.get(key);
    if (tasks) {
      tasks.push(task);
      return;
    }
    this.pending.set(key, [task]);
    this.ready.push(key);
    this.pump();
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop starting tasks; resolves when the running ones finish. Waiting tasks are left to recovery. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    this.ready.length = 0;
    await this.idle();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.ready.length) {
      const key = this.ready.shift()!;
      const task = this.pending.get(key)?.[0];
      if (!task) continue;
      this.running += 1;
      void task()
        .catch((error: unknown) => this.onError(error, key))
        .finally(() => {
          this.running -= 1;
          const tasks = this.pending.get(key);
          tasks?.shift();
          // The key waits at the back of the line for its next task: fair across conversations.
          if (tasks?.length) this.ready.push(key);
          else this.pending.delete(key);
          this.pump();
          if (this.size === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
        });
    }
  }
}
