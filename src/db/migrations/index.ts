import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000Initial } from './Migration20261124000000Initial';

/**
 * Committed migrations, in order. Listing them here (rather than scanning a
 * folder) works the same from ts-jest, tsx and the compiled build.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124000000Initial', class: Migration20261124000000Initial },
];
