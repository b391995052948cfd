import crypto from 'node:crypto';

/**
 * Slack shows "not acknowledged" and retries when a request is not answered
 * within 3 seconds. Handlers that must validate before answering (a modal's
 * field errors travel in the acknowledgement) get this budget: if their checks
 * are still running at `budgetMs`, an empty acknowledgement goes out and the
 * handler learns it was late (`ack()` resolves false), so it can report a
 * problem another way (an ephemeral message) instead of through the modal.
 */
export interface AckBudget<T> {
  ack(response?: T): Promise<boolean>;
  /** True once the budget ran out and the empty acknowledgement was sent. */
  readonly late: boolean;
}

export const ACK_BUDGET_MS = 2_000;

export function ackBudget<T>(ack: (response?: T) => Promise<void>, budgetMs = ACK_BUDGET_MS): AckBudget<T> {
  let answered = false;
  let late = false;
  const timer = setTimeout(() => {
    if (answered) return;
    answered = true;
    late = true;
    void ack().catch(() => undefined);
  }, budgetMs);
  timer.unref();
  return {
    async ack(response?: T) {
      clearTimeout(timer);
      if (answered) return false;
      answered = true;
      await ack(response);
      return true;
    },
    get late() {
      return late;
    },
  };
}

/** Resolves to the promise's value, or `fallback` when it takes longer than `ms` (it keeps running). */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/** Identity of one submission of one modal: the same view submitted with the same values is the same submission. */
export function submissionKey(viewId: string, values: unknown): string {
  return crypto
    .createHash('sha256')
    .update(`${viewId}\n${JSON.stringify(values)}`)
    .digest('hex');
}
