// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine, stringOption } from './command-line';
import 'reflect-metadata';
import {
  createTenantWithKey,
  issuePlatformKey,
  listPlatformKeys,
  listTenants,
  revokePlatformKey,
  setTenantDisabled,
} from '../tenants/tenant-admin';
import { runCli, withDatabase } from './cli-runner';

/** `npm run tenants`: the platform's tenant administration (audited as system:tenants-cli). */
async function main(): Promise<number> {
  // Checked by the command-line spec: a known command, and the tenant name where one is needed.
  const [command, target] = commandLine().positionals;
  return withDatabase(async ({ database }) => {
    const em = database.orm.em.fork();
    const actor = 'system:tenants-cli' as const;
    if (command === 'create') {
      const scopes = stringOption('scopes')
        ?.split(',')
        .map((scope) => scope.trim())
        .filter(Boolean);
      const { tenant, apiKey, key } = await createTenantWithKey(em, {
        name: target!,
        scopes,
        keyName: stringOption('key-name'),
        actor,
      });
      process.stdout.write(
        `Created tenant ${tenant.name} (${tenant.id}).\nFirst key ${apiKey.id} with scopes ${apiKey.scopes.join(', ')} (shown only now): ${key}\n`,
      );
    } else if (command === 'list') {
      const tenants = await listTenants(em);
      for (const { tenant, activeKeys, whatsappNumbers } of tenants) {
        process.stdout.write(
          `${tenant.id}  ${tenant.name}  ${tenant.disabledAt ? `disabled ${tenant.disabledAt.toISOString()}` : 'enabled'}  keys ${activeKeys}  whatsapp ${whatsappNumbers.join(',') || '-'}\n`,
        );
      }
      if (!tenants.length) process.stdout.write('No tenants.\n');
    } else if (command === 'platform-key') {
      const { platformKey, key } = await issuePlatformKey(em, {
        name: stringOption('key-name') ?? `cli ${new Date().toISOString().slice(0, 10)}`,
      });
      process.stdout.write(
        `Created platform key ${platformKey.id} (scope tenants:manage). Key (shown only now): ${key}\n`,
      );
    } else if (command === 'platform-keys') {
      const keys = await listPlatformKeys(em);
      for (const key of keys)
        process.stdout.write(
          `${key.id}  ${key.prefix}…  ${key.name}  created ${key.createdAt.toISOString()}  ${key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active'}\n`,
        );
      if (!keys.length) process.stdout.write('No platform keys.\n');
    } else if (command === 'revoke-platform-key') {
      const key = await revokePlatformKey(em, target!);
      process.stdout.write(`Revoked platform key ${key.id} (${key.prefix}…).\n`);
    } else {
      const tenant = await setTenantDisabled(em, { tenant: target!, disabled: command === 'disable', actor });
      process.stdout.write(`Tenant ${tenant.name} is now ${tenant.disabledAt ? 'disabled' : 'enabled'}.\n`);
    }
    return 0;
  });
}

runCli('tenants', main);
