import { GroupedWriter } from '../../../src/db/grouped-writer';

/** A writer whose group and single writes are recorded and finish when the test says so. */
function recordingWriter(options: { failGroups?: boolean; failItem?: number } = {}) {
  const groups: number[][] = [];
  const singles: number[] = [];
  const releases: Array<() => void> = [];
  const gate = () => new Promise<void>((resolve) => releases.push(resolve));
  const writer = new GroupedWriter<number, string>(
    async (items) => {
      groups.push(items);
      await gate();
      if (options.failGroups) throw new Error('group statement failed');
      return items.map((item) => `group:${item}`);
    },
    async (item) => {
      singles.push(item);
      await gate();
      if (item === options.failItem) throw new Error(`item ${item} refused`);
      return `one:${item}`;
    },
    3,
  );
  const releaseAll = async () => {
    // Each release may start the next write: keep releasing until nothing waits.
    for (let round = 0; round < 20; round += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      while (releases.length) releases.shift()!();
    }
  };
  return { writer, groups, singles, releaseAll };
}

describe('GroupedWriter', () => {
  it('writes an item alone when nothing is being written, and groups the items that arrive meanwhile', async () => {
    const { writer, groups, singles, releaseAll } = recordingWriter();
    const first = writer.submit(1);
    // Submitted while the first is being written: they go together in the next statement, at most 3 per group.
    const rest = [2, 3, 4, 5].map((item) => writer.submit(item));
    await releaseAll();
    expect(await first).toBe('one:1');
    expect(await Promise.all(rest)).toEqual(['group:2', 'group:3', 'group:4', 'one:5']);
    expect(singles).toEqual([1, 5]);
    expect(groups).toEqual([[2, 3, 4]]);
  });

  it('writes the items of a failed group one by one, so only the bad item fails its caller', async () => {
    const { writer, groups, singles, releaseAll } = recordingWriter({ failGroups: true, failItem: 3 });
    const first = writer.submit(1);
    const results = [2, 3, 4].map((item) => writer.submit(item).catch((error: Error) => error.message));
    await releaseAll();
    expect(await first).toBe('one:1');
    expect(await Promise.all(results)).toEqual(['one:2', 'item 3 refused', 'one:4']);
    expect(groups).toEqual([[2, 3, 4]]);
    expect(singles).toEqual([1, 2, 3, 4]);
  });
});
