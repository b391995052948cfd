import type { AutoPath, EntityName, FilterQuery, FindOptions, Loaded, PopulatePath } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors';
import { isUuid } from '../ids';

/**
 * Keyset pagination over (createdAt desc, id desc): a stable order even when
 * rows share a timestamp and while new rows arrive, unlike offsets. Cursors are
 * opaque base64url strings; a client must not build them.
 */
export interface PageRequest {
  /** How many rows (1–100, default 20). */
  first?: number | null;
  /** The `endCursor` of the previous page. */
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  /** Cursor of each node, same order as `nodes`. */
  cursors: string[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

/** The form encodeCursor writes (Date.toISOString for years 1–9999). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Checked field by field: a crafted cursor (a bad uuid, year 275760, a NUL) must be the caller's mistake, not a query error.
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      isUuid(parsed[1])
    ) {
      const createdAt = ISO_TIMESTAMP.test(parsed[0]) ? new Date(parsed[0]) : null;
      const year = createdAt?.getUTCFullYear() ?? Number.NaN;
      if (createdAt && year >= 1 && year <= 9999) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through to the error below: any undecodable cursor is the caller's mistake
  }
  throw new AppError('BAD_USER_INPUT', 'The cursor is not valid: pass an endCursor returned by a previous page');
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new AppError('BAD_USER_INPUT', `first must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/** MikroORM condition selecting rows strictly after `after` in (createdAt desc, id desc) order. */
export function afterCondition(after: string | null | undefined): Record<string, unknown> {
  if (!after) return {};
  const position = decodeCursor(after);
  return {
    $or: [{ createdAt: { $lt: position.createdAt } }, { createdAt: position.createdAt, id: { $lt: position.id } }],
  };
}

/** Builds the page from `size + 1` fetched rows (the extra one only says there is a next page). */
export function toPage<T extends CursorPosition>(rows: T[], size: number, totalCount: number): Page<T> {
  const nodes = rows.slice(0, size);
  const cursors = nodes.map(encodeCursor);
  return { nodes, cursors, hasNextPage: rows.length > size, endCursor: cursors.at(-1) ?? null, totalCount };
}

export const pageOrder = { createdAt: 'desc', id: 'desc' } as const;

/**
 * One keyset page of `entity`: the rows matching `where` after the cursor in
 * (createdAt desc, id desc) order, and the count of all matching rows, in
 * parallel. `size` comes from {@link pageSize}; `options` are passed to both
 * the find and the count (e.g. `pinnedToTenant`), `populate` to the find only.
 */
export async function keysetPage<T extends CursorPosition & object, P extends string = never>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  page: { size: number; after?: string | null },
  options: { filters?: FindOptions<T>['filters']; populate?: readonly AutoPath<T, P, PopulatePath.ALL>[] } = {},
): Promise<Page<Loaded<T, P>>> {
  const { populate, ...shared } = options;
  // A where that is only an $and list is extended rather than nested, so the statement is the one a caller would write.
  const conditions = isAndOnly(where) ? where.$and : [where];
  // Cast: the cursor condition is on createdAt and id, which CursorPosition guarantees every T has.
  const after = { $and: [...conditions, afterCondition(page.after)] } as FilterQuery<T>;
  const [rows, totalCount] = await Promise.all([
    em.find(entity, after, { ...shared, orderBy: pageOrder, limit: page.size + 1, populate } as FindOptions<T, P>),
    em.count(entity, where, shared),
  ]);
  return toPage(rows, page.size, totalCount);
}

function isAndOnly(where: unknown): where is { $and: unknown[] } {
  return (
    typeof where === 'object' &&
    where !== null &&
    Object.keys(where).length === 1 &&
    Array.isArray((where as { $and?: unknown }).$and)
  );
}
