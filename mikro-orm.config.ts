import { loadConfig } from './src/config';
import { ormOptions } from './src/db/orm';

/**
 * For the MikroORM CLI (`npx mikro-orm migration:create` while developing).
 * Needs DATABASE_URL; the service itself starts through src/main.ts.
 */
const config = loadConfig();
if (!config.DATABASE_URL) {
  throw new Error('The MikroORM CLI needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/parley)');
}
export default ormOptions({ url: config.DATABASE_URL });
