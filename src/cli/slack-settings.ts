// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from './command-line';
import 'reflect-metadata';
import { readSlackSettings, setSlackSettings, type SlackSettingsChange } from '../tenants/slack-settings';
import { Tenant } from '../db/entities';
import { runCli, withDatabase } from './cli-runner';

const FLAGS: Record<string, keyof SlackSettingsChange> = {
  handoff: 'handoffChannel',
  review: 'reviewChannel',
  oncall: 'oncallChannel',
  approvers: 'approvers',
  sample: 'reviewSampleRate',
  idle: 'idleReleaseMinutes',
};

/** `npm run slack:settings`: an entry point that reads or writes one tenant's Slack settings (audited as system:cli). */
async function main(): Promise<number> {
  const { values } = commandLine();
  const tenantName = String(values.tenant); // required by the spec
  const change: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    if (value === 'none') change[key] = null;
    else if (key === 'approvers')
      change[key] = value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
    else if (key === 'reviewSampleRate' || key === 'idleReleaseMinutes') change[key] = Number(value);
    else change[key] = value;
  }
  return withDatabase(async ({ database }) => {
    const em = database.orm.em.fork();
    const tenant = await em.findOne(Tenant, { name: tenantName });
    if (!tenant) {
      process.stderr.write(`No tenant named "${tenantName}".\n`);
      return 2;
    }
    // The cast is safe to attempt: values were shaped per key above and setSlackSettings validates every one.
    const settings = Object.keys(change).length
      ? await setSlackSettings(em, { tenantId: tenant.id, actor: 'system:cli', change: change as SlackSettingsChange })
      : readSlackSettings(tenant.settings);
    process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
    return 0;
  });
}

runCli('slack:settings', main);
