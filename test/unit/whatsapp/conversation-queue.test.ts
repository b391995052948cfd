import { ConversationQueue } from '../../../channels/whatsapp/conversation-queue';

/** A task that records when it starts and finishes and waits until released. */
function gatedTask(log: string[], name: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    run: async () => {
      log.push(`start ${name}`);
      await gate;
      log.push(`end ${name}`);
    },
    release: () => release(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConversationQueue', () => {
  it('runs one conversation strictly in order and different conversations in parallel', async () => {
    const log: string[] = [];
    const queue = new ConversationQueue(4, () => {});
    const a1 = gatedTask(log, 'a1');
    const a2 = gatedTask(log, 'a2');
    const b1 = gatedTask(log, 'b1');
    queue.push('a', a1.run);
    queue.push('a', a2.run);
    queue.push('b', b1.run);
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    a2.release();
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    a1.release();
    await tick();
    await tick();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2', 'end a2']);
    b1.release();
    await queue.idle();
    expect(queue.size).toBe(0);
  });

  it('never runs more than `concurrency` tasks at once', async () => {
    const queue = new ConversationQueue(2, () => {});
    let running = 0;
    let peak = 0;
    for (let index = 0; index < 10; index += 1) {
      queue.push(`c${index}`, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await tick();
        running -= 1;
      });
    }
    await queue.idle();
    expect(peak).toBe(2);
  });

  it('reports a failed task and carries on with the next one', async () => {
    const errors: string[] = [];
    const queue = new ConversationQueue(1, (error, key) => errors.push(`${key}: ${(error as Error).message}`));
    const done: string[] = [];
    queue.push('a', async () => {
      throw new Error('boom');
    });
    queue.push('a', async () => {
      done.push('second');
    });
    await queue.idle();
    expect(errors).toEqual(['a: boom']);
    expect(done).toEqual(['second']);
  });

  it('after stop, finishes what runs, starts nothing new and accepts nothing', async () => {
    const log: string[] = [];
    const queue = new ConversationQueue(1, () => {});
    const first = gatedTask(log, 'first');
    queue.push('a', first.run);
    queue.push('b', async () => {
      log.push('second');
    });
    await tick();
    const stopped = queue.stop();
    queue.push('c', async () => {
      log.push('third');
    });
    first.release();
    await stopped;
    expect(log).toEqual(['start first', 'end first']);
  });
});
