import { afterCondition, decodeCursor, encodeCursor, pageSize, toPage } from '../../../src/pagination/cursor-page';

describe('keyset cursors', () => {
  const row = { createdAt: new Date('2026-11-01T10:00:00.123Z'), id: '4b7c2f3e-0000-4000-8000-000000000001' };

  it('round-trips a position and builds the strictly-after condition', () => {
    expect(decodeCursor(encodeCursor(row))).toEqual(row);
    expect(afterCondition(encodeCursor(row))).toEqual({
      $or: [{ createdAt: { $lt: row.createdAt } }, { createdAt: row.createdAt, id: { $lt: row.id } }],
    });
    expect(afterCondition(null)).toEqual({});
  });

  it('rejects forged cursors and bad page sizes as BAD_USER_INPUT', () => {
    for (const cursor of [
      '',
      'x',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["not a date","id"]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    }
    // Crafted cursors that decode but would fail in SQL: a bad uuid, a year PostgreSQL or ISO-8601 cannot take, a NUL.
    const crafted = [
      ['2026-11-01T00:00:00.000Z', 'not-a-uuid'],
      ['+275760-09-13T00:00:00.000Z', row.id],
      ['0000-01-01T00:00:00.000Z', row.id],
      ['2026-11-01T00:00:00.000Z', `${row.id}\u0000`],
      ['2026-11-01T00:00:00.000Z\u0000', row.id],
    ];
    for (const parts of crafted) {
      expect(() => decodeCursor(Buffer.from(JSON.stringify(parts)).toString('base64url'))).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      );
    }
    expect(pageSize(undefined)).toBe(20);
    for (const size of [0, 101, 1.5, -1])
      expect(() => pageSize(size)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('uses the extra row only to say there is a next page', () => {
    const [b, c] = ['4b7c2f3e-0000-4000-8000-00000000000b', '4b7c2f3e-0000-4000-8000-00000000000c'];
    const rows = [row, { ...row, id: b }, { ...row, id: c }];
    const page = toPage(rows, 2, 3);
    expect(page.nodes).toHaveLength(2);
    expect(page.hasNextPage).toBe(true);
    expect(decodeCursor(page.endCursor!).id).toBe(b);
    expect(toPage(rows.slice(0, 2), 2, 2).hasNextPage).toBe(false);
  });
});
