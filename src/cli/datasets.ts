// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine, stringOption } from './command-line';
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
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
import { runCli, withDatabase } from './cli-runner';
import { cliTenant } from './cli-services';
import { createProgressBar } from './progress-bar';

/** A whole-number option (checked by the spec). */
function integerOption(name: string): number | undefined {
  const value = stringOption(name);
  return value === undefined ? undefined : Number(value);
}

/** The datasets CLI: evaluation datasets of a tenant, on the service's database. */
async function main(): Promise<number> {
  // Checked by the command-line spec: the command, the dataset name, import's file, archive's case ids, add's
  // --input and --expected-reply, --format, --sample and --min-quality.
  const [command, name, argument] = commandLine().positionals;
  return withDatabase(async (context) => {
    const { database } = context;
    const em = () => database.orm.em.fork();
    const actor = 'system:datasets-cli' as const;
    const tenantId = (await cliTenant(context, stringOption('tenant'))).id;
    const dataset = async () => {
      const found = await findDataset(em(), tenantId, name!);
      if (!found)
        throw new AppError('NOT_FOUND', `No dataset named ${name}; create it with npm run datasets -- create ${name}`);
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
          process.stdout.write(
            `${row.name}@${row.latestVersionNumber}  ${latest?.caseCount ?? 0} cases  ${row.description}\n`,
          );
        }
        if (!rows.length) process.stdout.write('No datasets yet.\n');
        return 0;
      }
      case 'create': {
        const { version } = await createDataset(em(), {
          tenantId,
          actor,
          name: name!,
          description: stringOption('description'),
        });
        report(version);
        return 0;
      }
      case 'import': {
        const found = await dataset();
        const file = argument!;
        const format = (stringOption('format') ??
          (file.endsWith('.jsonl') || file.endsWith('.ndjson') ? 'jsonl' : 'csv')) as CaseFileFormat;
        const read = readCaseFile(
          fs.readFileSync(file, 'utf8'),
          format,
          {
            input: stringOption('input'),
            expectedReply: stringOption('expected-reply'),
            expectedTopic: stringOption('topic'),
            expectHandoff: stringOption('handoff'),
            context: stringOption('context'),
            handoffTopics: stringOption('handoff-topics')
              ?.split(',')
              .map((topic) => topic.trim())
              .filter(Boolean),
          },
          path.basename(file),
        );
        const sample = integerOption('sample');
        const cases = sample ? sampleCases(read.cases, sample) : read.cases;
        process.stderr.write(
          `Read ${read.cases.length} cases from ${file}${read.skipped ? ` (${read.skipped} rows without a message or reply skipped)` : ''}${sample ? `; importing a sample of ${cases.length}` : ''}.\n`,
        );
        const bar = createProgressBar('importing');
        const version = await addCases(em(), {
          tenantId,
          actor,
          datasetId: found.id,
          cases,
          source: 'import',
          change: `imported ${cases.length} cases from ${path.basename(file)}`,
          onProgress: (done, total) => bar.update(done, total),
        });
        bar.finish();
        report(version);
        return 0;
      }
      case 'add': {
        const found = await dataset();
        const input = stringOption('input')!;
        const expectedReply = stringOption('expected-reply')!;
        report(
          await addCases(em(), {
            tenantId,
            actor,
            datasetId: found.id,
            source: 'manual',
            cases: [
              {
                input,
                expectedReply,
                expectedTopic: stringOption('topic'),
                expectHandoff: commandLine().values['expect-handoff'] === true,
              },
            ],
          }),
        );
        return 0;
      }
      case 'import-corrections': {
        const found = await dataset();
        const result = await importApprovedCorrections(em(), {
          tenantId,
          actor,
          datasetId: found.id,
          minQuality: integerOption('min-quality'),
        });
        if (result.version) report(result.version);
        else process.stdout.write(`No new approved corrections (${result.skipped} already in ${name}).\n`);
        return 0;
      }
      case 'archive': {
        const found = await dataset();
        report(
          await archiveCases(em(), {
            tenantId,
            actor,
            datasetId: found.id,
            caseIds: argument!
              .split(',')
              .map((id) => id.trim())
              .filter(Boolean),
            reason: stringOption('reason'),
          }),
        );
        return 0;
      }
      default: {
        const found = await dataset();
        for (const version of await datasetVersions(em(), tenantId, found.id)) {
          process.stdout.write(
            `${found.name}@${version.number}  ${version.caseCount} cases  ${version.createdAt.toISOString()}  ${version.createdBy}  ${version.change}\n`,
          );
        }
        return 0;
      }
    }
  });
}

runCli('datasets', main);
