import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { API_KEY_SCOPES } from '../db/entities';
import { createTenantWithKey, issuePlatformKey, listTenants, setTenantDisabled } from '../tenants/tenant-admin';
import { runCli, withDatabase } from './cli-runner';

const USAGE = `Usage:
  npm run tenants -- create <name> [--scopes ${API_KEY_SCOPES.join(',')}] [--key-name <label>]
  npm run tenants -- list
  npm run tenants -- disable <name or id>
  npm run tenants -- enable <name or id>
  npm run tenants -- platform-key [--key-name <label>]

create prints the tenant's first API key once (default: every tenant scope; with
users:manage the business sets its WhatsApp, Slack and profile through GraphQL).
platform-key prints a key with the tenants:manage scope, for the createTenant,
tenants and disableTenant GraphQL operations; tenant keys never get that scope.
`;

const COMMANDS = ['create', 'list', 'disable', 'enable', 'platform-key'];

/** `npm run tenants`: the platform's tenant administration (audited as system:tenants-cli). */
async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { scopes: { type: 'string' }, 'key-name': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`parley tenants: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [command, target] = positionals;
  if (!command || !COMMANDS.includes(command)) {
    process.stderr.write(command ? `parley tenants: unknown command "${command}" (use ${COMMANDS.join(', ')})\n` : USAGE);
    return 2;
  }
  if (['create', 'disable', 'enable'].includes(command) && !target) {
    process.stderr.write(`parley tenants: ${command} needs a tenant name\n`);
    return 2;
  }
  return withDatabase(async ({ database }) => {
    const em = database.orm.em.fork();
    const actor = 'system:tenants-cli' as const;
    if (command === 'create') {
      const scopes = values.scopes?.split(',').map((scope) => scope.trim()).filter(Boolean);
      const { tenant, apiKey, key } = await createTenantWithKey(em, { name: target!, scopes, keyName: values['key-name'], actor });
      process.stdout.write(`Created tenant ${tenant.name} (${tenant.id}).\nFirst key ${apiKey.id} with scopes ${apiKey.scopes.join(', ')} (shown only now): ${key}\n`);
    } else if (command === 'list') {
      const tenants = await listTenants(em);
      for (const { tenant, activeKeys, whatsappNumbers } of tenants) {
        process.stdout.write(`${tenant.id}  ${tenant.name}  ${tenant.disabledAt ? `disabled ${tenant.disabledAt.toISOString()}` : 'enabled'}  keys ${activeKeys}  whatsapp ${whatsappNumbers.join(',') || '-'}\n`);
      }
      if (!tenants.length) process.stdout.write('No tenants.\n');
    } else if (command === 'platform-key') {
      const { platformKey, key } = await issuePlatformKey(em, { name: values['key-name'] ?? `cli ${new Date().toISOString().slice(0, 10)}` });
      process.stdout.write(`Created platform key ${platformKey.id} (scope tenants:manage). Key (shown only now): ${key}\n`);
    } else {
      const tenant = await setTenantDisabled(em, { tenant: target!, disabled: command === 'disable', actor });
      process.stdout.write(`Tenant ${tenant.name} is now ${tenant.disabledAt ? 'disabled' : 'enabled'}.\n`);
    }
    return 0;
  });
}

runCli('tenants', main);
