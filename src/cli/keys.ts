// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from './command-line';
import 'reflect-metadata';
import { issueApiKey, listApiKeys, revokeApiKey } from '../auth/api-key-admin';
import { badInput } from '../errors';
import { runCli, withDatabase } from './cli-runner';

function option(name: string): string | undefined {
  const value = commandLine().values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The keys CLI: create (prints the key once), list (prefixes only), revoke. Uses the same database as the service. */
async function main(): Promise<number> {
  // Checked by the command-line spec: create|list|revoke, with the options each needs.
  const [command, id] = commandLine().positionals;
  return withDatabase(async ({ database }) => {
    const em = database.orm.em.fork();
    const actor = 'system:keys-cli' as const;
    if (command === 'create') {
      const tenantName = option('tenant');
      const scopes = (option('scopes') ?? '')
        .split(',')
        .map((scope) => scope.trim())
        .filter(Boolean);
      const { apiKey, key } = await issueApiKey(em, {
        tenantName: tenantName!,
        scopes,
        name: option('name') ?? `cli ${new Date().toISOString().slice(0, 10)}`,
        actor,
      });
      process.stdout.write(
        `Created key ${apiKey.id} for tenant ${tenantName} with scopes ${apiKey.scopes.join(', ')}.\nKey (shown only now): ${key}\n`,
      );
    } else if (command === 'list') {
      const tenantName = option('tenant');
      const keys = await listApiKeys(em, {});
      for (const key of keys.filter((row) => !tenantName || row.tenant.name === tenantName)) {
        const state = key.revokedAt
          ? `revoked ${key.revokedAt.toISOString()}`
          : `last used ${key.lastUsedAt?.toISOString() ?? 'never'}`;
        process.stdout.write(
          `${key.id}  ${key.tenant.name}  ${key.prefix}…  ${key.name}  [${key.scopes.join(',')}]  ${state}\n`,
        );
      }
      if (!keys.length) process.stdout.write('No keys.\n');
    } else {
      if (!id) throw badInput('revoke needs a key id');
      const key = await revokeApiKey(em, { apiKeyId: id, actor });
      process.stdout.write(`Revoked key ${key.id} (${key.prefix}…).\n`);
    }
    return 0;
  });
}

runCli('keys', main);
