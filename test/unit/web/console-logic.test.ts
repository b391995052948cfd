import { diffWords, tokenize } from '../../../web/src/lib/diff';
import {
  formatActor,
  formatAgo,
  formatBucket,
  formatCount,
  formatDateTime,
  formatDuration,
  formatRate,
  formatUsd,
} from '../../../web/src/lib/format';
import { hasAnyScope, matchPage, PAGES, visiblePages } from '../../../web/src/lib/pages';
import {
  alignSeries,
  bucketStart,
  bucketStarts,
  PERIODS,
  previousRangeOf,
  rangeOf,
  trend,
} from '../../../web/src/lib/range';
import { percentile } from '../../../web/src/lib/stats';
import { isImprovement, TARGETS, targetStatus } from '../../../web/src/lib/targets';

const xml = (before: string, after: string) =>
  diffWords(before, after)
    .map((part) =>
      part.kind === 'same' ? part.text : part.kind === 'added' ? `<ins>${part.text}</ins>` : `<del>${part.text}</del>`,
    )
    .join('');

describe('word diff (bot reply → correction)', () => {
  it.each([
    // jsdiff's published diffWords case "should diff whitespace" (test/diff/word.js)
    ['New Value', 'New  ValueMoreData', 'New  <del>Value</del><ins>ValueMoreData</ins>'],
    ['', 'Hello there', '<ins>Hello there</ins>'],
    ['Hello there', '', '<del>Hello there</del>'],
    ['same words here', 'same words here', 'same words here'],
    [
      'Delivery takes 3 days.',
      'Delivery takes 5 working days.',
      'Delivery takes <del>3 </del><ins>5 working </ins>days.',
    ],
    ['a b c', 'a d', 'a <del>b c</del><ins>d</ins>'],
  ])('%j → %j', (before, after, expected) => {
    expect(xml(before, after)).toBe(expected);
  });

  it('rebuilds the correction from same + added parts, and keeps a longest common subsequence of words', () => {
    const before = 'I am not sure, let me hand you over to a colleague who can help.';
    const after = 'Yes: we ship to Iceland in 6 to 8 working days, and a colleague can help with customs.';
    const parts = diffWords(before, after);
    expect(
      parts
        .filter((part) => part.kind !== 'removed')
        .map((part) => part.text)
        .join(''),
    ).toBe(after);
    expect(
      parts
        .filter((part) => part.kind !== 'added')
        .map((part) => part.text)
        .join('')
        .replace(/\s+/g, ' '),
    ).toBe(before.replace(/\s+/g, ' '));
    const kept = parts
      .filter((part) => part.kind === 'same')
      .flatMap((part) => tokenize(part.text).filter((token) => token.trim()));
    // "help." and "help " differ: punctuation belongs to its word.
    expect(kept).toEqual(['to ', 'a ', 'colleague ', 'can ']);
  });
});

describe("formatting with units and the viewer's zone", () => {
  it.each([
    [0, '$0.00'],
    [12.5, '$12.50'],
    [0.5, '$0.5000'],
    [0.00301, '$0.00301'],
    [-2, '-$2.00'],
    [null, '—'],
  ])('formatUsd(%p) = %p', (value, expected) => {
    expect(formatUsd(value)).toBe(expected);
  });

  it.each([
    [0.6667, '66.7%'],
    [1, '100.0%'],
    [0, '0.0%'],
    [null, '—'],
  ])('formatRate(%p) = %p', (value, expected) => {
    expect(formatRate(value)).toBe(expected);
  });

  it.each([
    [850, '850 ms'],
    [1234, '1.2 s'],
    [12_345, '12 s'],
    [125_000, '2 min 5 s'],
    [120_000, '2 min'],
  ])('formatDuration(%p) = %p', (value, expected) => {
    expect(formatDuration(value)).toBe(expected);
  });

  it('formats counts, compact tokens, times in the given zone with its name, buckets as UTC days, and ages', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(1_234_567, { compact: true })).toBe('1.2M');
    expect(formatDateTime('2026-12-01T23:30:00Z', { timeZone: 'America/New_York', locale: 'en-US' })).toBe(
      'Dec 1, 2026, 06:30 PM EST',
    );
    expect(formatDateTime('2026-12-01T23:30:00Z', { timeZone: 'Asia/Tokyo', locale: 'en-GB' })).toBe(
      '2 Dec 2026, 08:30 GMT+9',
    );
    expect(formatBucket('2026-12-01T00:00:00.000Z', 'DAY', { locale: 'en-GB' })).toBe('1 Dec');
    expect(formatBucket('2026-12-01T00:00:00.000Z', 'MONTH', { locale: 'en-GB' })).toBe('Dec 2026');
    expect(formatAgo('2026-12-01T10:00:00Z', new Date('2026-12-01T10:05:00Z'))).toBe('5 min ago');
    expect(formatAgo('2026-11-28T10:00:00Z', new Date('2026-12-01T10:05:00Z'))).toBe('3 d ago');
    expect(formatActor('apikey:0839eed2-cb1f-4435')).toBe('API key 0839eed2');
    expect(formatActor('slack:U42')).toBe('Slack U42');
  });
});

describe("pages follow the key's scopes", () => {
  it('shows analytics pages to a viewer, settings only to users:manage, GraphiQL only when the server offers it', () => {
    const viewer = visiblePages(['analytics:view'], { graphiql: false }).map((page) => page.id);
    expect(viewer).toContain('overview');
    expect(viewer).not.toContain('settings');
    expect(viewer).not.toContain('graphiql');
    expect(visiblePages(['users:manage'], { graphiql: true }).map((page) => page.id)).toEqual([
      'knowledge',
      'settings',
      'access',
      'graphiql',
    ]);
    expect(visiblePages([], { graphiql: true })).toEqual([]);
    expect(hasAnyScope(['corrections:write'], ['users:manage', 'corrections:write'])).toBe(true);
  });

  it.each([
    ['/', 'overview', ''],
    ['', 'overview', ''],
    ['/conversations', 'conversations', ''],
    ['/conversations/', 'conversations', ''],
    ['/conversations/abc-123', 'conversations', 'abc-123'],
    ['/graphiql', 'graphiql', ''],
  ])('matchPage(%j) is %s with rest %j', (path, id, rest) => {
    expect(matchPage(path)).toEqual({ page: PAGES.find((page) => page.id === id), rest });
  });

  it('finds no page for unknown paths', () => {
    expect(matchPage('/nope')).toBeNull();
    expect(matchPage('/conversationsx')).toBeNull();
  });
});

describe('periods, buckets and trends', () => {
  const now = new Date('2026-12-01T23:30:20Z');
  it('ends a period at the next UTC minute and the previous period where this one starts', () => {
    const period = PERIODS.find((entry) => entry.id === '7d')!;
    expect(rangeOf(period, now)).toEqual({ from: '2026-11-24T23:31:00.000Z', to: '2026-12-01T23:31:00.000Z' });
    expect(previousRangeOf(period, now)).toEqual({ from: '2026-11-17T23:31:00.000Z', to: '2026-11-24T23:31:00.000Z' });
  });

  it.each([
    ['2026-12-03T15:00:00Z', 'DAY', '2026-12-03T00:00:00.000Z'],
    ['2026-12-03T15:00:00Z', 'WEEK', '2026-11-30T00:00:00.000Z'], // a Thursday → Monday
    ['2026-11-30T00:00:00Z', 'WEEK', '2026-11-30T00:00:00.000Z'], // a Monday
    ['2026-12-06T23:59:00Z', 'WEEK', '2026-11-30T00:00:00.000Z'], // a Sunday
    ['2026-12-03T15:00:00Z', 'MONTH', '2026-12-01T00:00:00.000Z'],
  ] as const)('bucketStart(%s, %s) = %s (date_trunc)', (date, bucket, expected) => {
    expect(bucketStart(new Date(date), bucket).toISOString()).toBe(expected);
  });

  it('lists every bucket of a range and aligns sparse API points on them', () => {
    const starts = bucketStarts({ from: '2026-11-29T12:00:00Z', to: '2026-12-02T00:00:00Z' }, 'DAY');
    expect(starts.map((start) => start.toISOString().slice(0, 10))).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    expect(
      bucketStarts({ from: '2026-10-15T00:00:00Z', to: '2027-01-01T00:00:00Z' }, 'MONTH').map((start) =>
        start.toISOString().slice(0, 7),
      ),
    ).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(
      alignSeries(starts, [{ bucketStart: '2026-11-30T00:00:00.000Z', value: 3 }], (point) => point.value),
    ).toEqual([null, 3, null]);
  });

  it('computes trends and says whether they are good news', () => {
    expect(trend(0.9, 0.75)).toBeCloseTo(0.2);
    expect(trend(1, 0)).toBeNull();
    expect(trend(null, 1)).toBeNull();
    expect(isImprovement(0.1, 'higher')).toBe(true);
    expect(isImprovement(0.1, 'lower')).toBe(false);
    expect(isImprovement(0, 'lower')).toBeNull();
    expect(targetStatus(0.85, TARGETS.helpfulRate!)).toBe('met');
    expect(targetStatus(0.2, TARGETS.handoffRequestRate!)).toBe('missed');
    expect(targetStatus(null, TARGETS.handoffRequestRate!)).toBe('unknown');
  });
});

describe('nearest-rank percentile', () => {
  // The worked examples of the nearest-rank method (Wikipedia, "Percentile").
  it.each([
    [[15, 20, 35, 40, 50], 5, 15],
    [[15, 20, 35, 40, 50], 30, 20],
    [[15, 20, 35, 40, 50], 40, 20],
    [[15, 20, 35, 40, 50], 50, 35],
    [[15, 20, 35, 40, 50], 100, 50],
    [[3, 6, 7, 8, 8, 10, 13, 15, 16, 20], 25, 7],
    [[3, 6, 7, 8, 8, 10, 13, 15, 16, 20], 50, 8],
    [[3, 6, 7, 8, 8, 10, 13, 15, 16, 20], 75, 15],
    [[3, 6, 7, 8, 8, 10, 13, 15, 16, 20], 100, 20],
    [[3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20], 25, 7],
    [[3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20], 50, 9],
    [[3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20], 75, 15],
    [[3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20], 100, 20],
  ])('P%#: %j at %p%% = %p', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is null without values', () => {
    expect(percentile([], 95)).toBeNull();
  });
});
