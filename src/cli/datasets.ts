import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { Tenant } from '../db/entities';
import { seedDemoTenant } from '../db/seed';
import { AppError, badInput } from '../errors';
import { readCaseFile, sampleCases, type CaseFileFormat } from '../learning/datasets/case-file';
import {
  addCases,
  archiveCases,
  createDataset,
  datasetVersions,
  findDataset,
  GATING_MINIMUM_CASES,
  importApprovedCorrections,
  listDatasets,
} from '../learning/datasets/dataset-service';
import { flag, integerOption, option } from './cli-options';
import { runCli, withDatabase } from './cli-runner';
import { createProgressBar } from './progress-bar';

const USAGE = `Usage (every command takes --tenant <name>, default demo):
  npm run datasets -- list
  npm run datasets -- create <name> [--description <text>]
  npm run datasets -- import <name> <file.csv|file.jsonl> [--format csv|jsonl] [--sample <n>]
        [--input <column>] [--expected-reply <column>] [--topic <column>] [--handoff <column>] [--context <column>]
        [--handoff-topics <topic,topic>]
  npm run datasets -- add <name> --input <customer message> --expected-reply <reply> [--topic <topic>] [--expect-handoff]
  npm run datasets -- import-corrections <name> [--min-quality <0-5>]
  npm run datasets -- archive <name> <case id>[,<case id>…] [--reason <text>]
  npm run datasets -- versions <name>

The shared customer-support CSV works with no mapping:
  npm run datasets -- import support ../shared/datasets/customer-support-train.csv --sample 600 --handoff-topics contact_human_agent`;

/** The datasets CLI: evaluation datasets of a tenant, on the service's database. */
async function main(args: string[]): Promise<number> {
  const [command, name, argument] = args;
  const commands = ['list', 'create', 'import', 'add', 'import-corrections', 'archive', 'versions'];
  if (!command || !commands.includes(command) || flag(args, 'help')) {
    process.stderr.write(`${USAGE}\n`);
    return command ? 2 : 0;
  }
  return withDatabase(async ({ config, database }) => {
    // Like the service and the terminal chat: an empty database gets the demo tenant (SEED_DEMO, default true).
    if (config.SEED_DEMO) await seedDemoTenant(database.orm.em.fork());
    const em = () => database.orm.em.fork();
    const actor = 'system:datasets-cli' as const;
    const tenantName = option(args, 'tenant') ?? 'demo';
    const tenant = await em().findOne(Tenant, { name: tenantName });
    if (!tenant) throw new AppError('NOT_FOUND', `No tenant named ${tenantName} (use --tenant)`);
    const tenantId = tenant.id;
    const dataset = async () => {
      if (!name) throw badInput(`${command} needs a dataset name\n${USAGE}`);
      const found = await findDataset(em(), tenantId, name);
      if (!found) throw new AppError('NOT_FOUND', `No dataset named ${name}; create it with npm run datasets -- create ${name}`);
      return found;
    };
    const report = (version: { number: number; caseCount: number; change: string }) =>
      process.stdout.write(
        `${name}@${version.number}: ${version.caseCount} cases (${version.change})${version.caseCount >= GATING_MINIMUM_CASES ? '' : ` — fewer than ${GATING_MINIMUM_CASES}: fine for experiments, not for gating a deployment`}\n`,
      );

    switch (command) {
      case 'list': {
        const rows = await listDatasets(em(), tenantId);
        for (const row of rows) {
          const [latest] = await datasetVersions(em(), tenantId, row.id);
          process.stdout.write(`${row.name}@${row.latestVersionNumber}  ${latest?.caseCount ?? 0} cases  ${row.description}\n`);
        }
        if (!rows.length) process.stdout.write('No datasets yet.\n');
        return 0;
      }
      case 'create': {
        if (!name) throw badInput(`create needs a name\n${USAGE}`);
        const { version } = await createDataset(em(), { tenantId, actor, name, description: option(args, 'description') });
        report(version);
        return 0;
      }
      case 'import': {
        const found = await dataset();
        if (!argument) throw badInput(`import needs a file\n${USAGE}`);
        const format = (option(args, 'format') ?? (argument.endsWith('.jsonl') || argument.endsWith('.ndjson') ? 'jsonl' : 'csv')) as CaseFileFormat;
        if (format !== 'csv' && format !== 'jsonl') throw badInput('--format must be csv or jsonl');
        const read = readCaseFile(fs.readFileSync(argument, 'utf8'), format, {
          input: option(args, 'input'),
          expectedReply: option(args, 'expected-reply'),
          expectedTopic: option(args, 'topic'),
          expectHandoff: option(args, 'handoff'),
          context: option(args, 'context'),
          handoffTopics: option(args, 'handoff-topics')?.split(',').map((topic) => topic.trim()).filter(Boolean),
        }, path.basename(argument));
        const sample = integerOption(args, 'sample');
        const cases = sample ? sampleCases(read.cases, sample) : read.cases;
        process.stderr.write(`Read ${read.cases.length} cases from ${argument}${read.skipped ? ` (${read.skipped} rows without a message or reply skipped)` : ''}${sample ? `; importing a sample of ${cases.length}` : ''}.\n`);
        const bar = createProgressBar('importing');
        const version = await addCases(em(), {
          tenantId,
          actor,
          datasetId: found.id,
          cases,
          source: 'import',
          change: `imported ${cases.length} cases from ${path.basename(argument)}`,
          onProgress: (done, total) => bar.update(done, total),
        });
        bar.finish();
        report(version);
        return 0;
      }
      case 'add': {
        const found = await dataset();
        const input = option(args, 'input');
        const expectedReply = option(args, 'expected-reply');
        if (!input || !expectedReply) throw badInput(`add needs --input and --expected-reply\n${USAGE}`);
        report(await addCases(em(), { tenantId, actor, datasetId: found.id, source: 'manual', cases: [{ input, expectedReply, expectedTopic: option(args, 'topic'), expectHandoff: flag(args, 'expect-handoff') }] }));
        return 0;
      }
      case 'import-corrections': {
        const found = await dataset();
        const result = await importApprovedCorrections(em(), { tenantId, actor, datasetId: found.id, minQuality: integerOption(args, 'min-quality') });
        if (result.version) report(result.version);
        else process.stdout.write(`No new approved corrections (${result.skipped} already in ${name}).\n`);
        return 0;
      }
      case 'archive': {
        const found = await dataset();
        if (!argument) throw badInput(`archive needs case ids\n${USAGE}`);
        report(await archiveCases(em(), { tenantId, actor, datasetId: found.id, caseIds: argument.split(',').map((id) => id.trim()).filter(Boolean), reason: option(args, 'reason') }));
        return 0;
      }
      default: {
        const found = await dataset();
        for (const version of await datasetVersions(em(), tenantId, found.id)) {
          process.stdout.write(`${found.name}@${version.number}  ${version.caseCount} cases  ${version.createdAt.toISOString()}  ${version.createdBy}  ${version.change}\n`);
        }
        return 0;
      }
    }
  });
}

runCli('datasets', main);
