/**
 * Group commit for one kind of write: callers `submit` an item and await its own result; items submitted while a
 * group is being written wait and go together in the next one (one statement, one commit), so under load N
 * concurrent callers cost about one round trip and one WAL flush instead of N, and an idle process writes at once
 * (no timer, no added latency). Each caller's promise settles only after its group's statement returned, i.e. after
 * the commit: nothing is acknowledged before it is durable. When a group's statement fails, each of its items is
 * written on its own (`writeOne`), so one bad item (or a deadlock between groups) fails only its own caller.
 */
export class GroupedWriter<Item, Result> {
  private waiting: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  private writing = false;

  constructor(
    /** Writes a group in one statement; returns one result per item, in order. */
    private readonly writeGroup: (items: Item[]) => Promise<Result[]>,
    /** Writes one item (a group of one, or an item of a group that failed). */
    private readonly writeOne: (item: Item) => Promise<Result>,
    private readonly maxGroup = 64,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length) {
        const group = this.waiting.splice(0, this.maxGroup);
        if (group.length === 1) {
          const [only] = group;
          await this.writeOne(only!.item).then(only!.resolve, only!.reject);
          continue;
        }
        let results: Result[] | null = null;
        try {
          results = await this.writeGroup(group.map((entry) => entry.item));
        } catch {
          // Written one by one below: each caller gets its own outcome.
        }
        if (results && results.length === group.length) group.forEach((entry, index) => entry.resolve(results[index]!));
        else await Promise.all(group.map((entry) => this.writeOne(entry.item).then(entry.resolve, entry.reject)));
      }
    } finally {
      this.writing = false;
    }
  }
}
