import 'reflect-metadata';
import { API_KEY_SCOPES } from '../db/entities';
import { issueApiKey, listApiKeys, revokeApiKey } from '../auth/api-key-admin';
import { badInput } from '../errors';
import { runCli, withDatabase } from './cli-runner';

const USAGE = `Usage:
  npm run keys -- create --tenant <name> --scopes ${API_KEY_SCOPES.join(',')} [--name <label>]
  npm run keys -- list [--tenant <name>]
  npm run keys -- revoke <key id>`;

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

/** The keys CLI: create (prints the key once), list (prefixes only), revoke. Uses the same database as the service. */
async function main(args: string[]): Promise<number> {
  const [command] = args;
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withDatabase(async ({ database }) => {
    const em = database.orm.em.fork();
    const actor = 'system:keys-cli' as const;
    if (command === 'create') {
      const tenantName = option(args, 'tenant');
      const scopes = (option(args, 'scopes') ?? '').split(',').map((scope) => scope.trim()).filter(Boolean);
      if (!tenantName) throw badInput(`--tenant is required\n${USAGE}`);
      const { apiKey, key } = await issueApiKey(em, { tenantName, scopes, name: option(args, 'name') ?? `cli ${new Date().toISOString().slice(0, 10)}`, actor });
      process.stdout.write(`Created key ${apiKey.id} for tenant ${tenantName} with scopes ${apiKey.scopes.join(', ')}.\nKey (shown only now): ${key}\n`);
    } else if (command === 'list') {
      const tenantName = option(args, 'tenant');
      const keys = await listApiKeys(em, {});
      for (const key of keys.filter((row) => !tenantName || row.tenant.name === tenantName)) {
        const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : `last used ${key.lastUsedAt?.toISOString() ?? 'never'}`;
        process.stdout.write(`${key.id}  ${key.tenant.name}  ${key.prefix}…  ${key.name}  [${key.scopes.join(',')}]  ${state}\n`);
      }
      if (!keys.length) process.stdout.write('No keys.\n');
    } else {
      const id = args[1];
      if (!id) throw badInput(`revoke needs a key id\n${USAGE}`);
      const key = await revokeApiKey(em, { apiKeyId: id, actor });
      process.stdout.write(`Revoked key ${key.id} (${key.prefix}…).\n`);
    }
    return 0;
  });
}

runCli('keys', main);
