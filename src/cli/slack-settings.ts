import 'reflect-metadata';
import { readSlackSettings, setSlackSettings, type SlackSettingsChange } from '../tenants/slack-settings';
import { Tenant } from '../db/entities';
import { runCli, withDatabase } from './cli-runner';

const USAGE = `Usage: npm run slack:settings -- --tenant <name> [options]

Shows, or changes, the tenant's Slack settings (settings.channels.slack):
  --handoff <C…>        channel for handed-off conversations
  --review <C…>         channel for bot replies to review
  --oncall <C…>         channel for alerts
  --approvers <U…,U…>   Slack users allowed to approve corrections (users:manage)
  --sample <0..1>       share of other bot replies sent for review
  --idle <minutes>      give an idle handed-off conversation back to the bot (0 = never)
A value of "none" removes the setting.
`;

const FLAGS: Record<string, keyof SlackSettingsChange> = {
  '--handoff': 'handoffChannel',
  '--review': 'reviewChannel',
  '--oncall': 'oncallChannel',
  '--approvers': 'approvers',
  '--sample': 'reviewSampleRate',
  '--idle': 'idleReleaseMinutes',
};

/** `npm run slack:settings`: an entry point that reads or writes one tenant's Slack settings (audited as system:cli). */
async function main(argv: string[]): Promise<number> {
  let tenantName: string | null = null;
  const change: Record<string, unknown> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    const value = argv[index + 1];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (value === undefined) {
      process.stderr.write(`${flag} needs a value.\n\n${USAGE}`);
      return 2;
    }
    index += 1;
    if (flag === '--tenant') tenantName = value;
    else if (FLAGS[flag]) {
      const key = FLAGS[flag]!;
      if (value === 'none') change[key] = null;
      else if (key === 'approvers') change[key] = value.split(',').map((id) => id.trim()).filter(Boolean);
      else if (key === 'reviewSampleRate' || key === 'idleReleaseMinutes') change[key] = Number(value);
      else change[key] = value;
    } else {
      process.stderr.write(`Unexpected argument "${flag}".\n\n${USAGE}`);
      return 2;
    }
  }
  if (!tenantName) {
    process.stderr.write(USAGE);
    return 2;
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
