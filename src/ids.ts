const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Row ids are uuids. Anything else cannot name a row, and must not reach
 * PostgreSQL, where a bad uuid literal is a query error rather than "not found".
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A uuid that no row has: filters on a malformed id use it to match nothing. */
export const NO_SUCH_ID = '00000000-0000-0000-0000-000000000000';
