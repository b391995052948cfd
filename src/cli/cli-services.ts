import type { Config } from '../config';
import { Tenant } from '../db/entities';
import { seedDemoTenant } from '../db/seed';
import { createConversationStack, type ConversationStack } from '../engine/engine-stack';
import { AppError } from '../errors';
import { DomainEvents } from '../events';
import { resolveSecretKey, SecretBox } from '../security/secret-box';
import type { CliContext } from './cli-runner';

/**
 * The tenant a command works on: `name` (its --tenant) or `demo`. Like the
 * service and the terminal chat, an empty database first gets the demo tenant
 * when SEED_DEMO is on (default true).
 */
export async function cliTenant({ config, database }: CliContext, name: string | undefined): Promise<Tenant> {
  if (config.SEED_DEMO) await seedDemoTenant(database.orm.em.fork());
  const tenantName = name ?? 'demo';
  const tenant = await database.orm.em.fork().findOne(Tenant, { name: tenantName });
  if (!tenant) throw new AppError('NOT_FOUND', `No tenant named ${tenantName} (use --tenant)`);
  return tenant;
}

/** The service's secret box (PARLEY_SECRET_KEY, or the key file in PARLEY_DATA_DIR), to read tenant secrets. */
export function cliSecretBox(config: Config): SecretBox {
  return new SecretBox(resolveSecretKey(config.secretKey, config.PARLEY_DATA_DIR).key);
}

/** The provider stack and engine the service would use, for commands that answer or evaluate (close it when done). */
export function cliConversationStack(
  { config, database, logger }: CliContext,
  secretBox: SecretBox = cliSecretBox(config),
): ConversationStack {
  return createConversationStack({ config, orm: database.orm, events: new DomainEvents(), logger, secretBox });
}
