// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine, stringOption } from './command-line';
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { type TrainingSet } from '../db/entities';
import { AppError } from '../errors';
import { parseCsv } from '../learning/datasets/case-file';
import { splitExamples } from '../learning/holdout-split';
import { importApprovedCorrectionRows } from '../learning/training/correction-import';
import { trainOfflineVersion } from '../learning/training/offline-training-flow';
import {
  createTrainingSet,
  listTrainingSets,
  parseTrainingFormat,
  resolveTrainingSet,
  trainingSetFiles,
} from '../learning/training/training-data-service';
import { runCli, withDatabase } from './cli-runner';
import { cliConversationStack, cliTenant } from './cli-services';
import { createProgressBar } from './progress-bar';

const actor = 'system:training-data-cli' as const;

function describe(set: TrainingSet): string {
  const stats = set.statistics;
  const cost = stats.estimatedCost.map((entry) => `${entry.model} ≈ $${entry.usd.toFixed(2)}`).join(', ');
  const filtered = Object.entries(stats.filteredOut)
    .map(([reason, count]) => `${count} ${reason}`)
    .join('; ');
  return [
    `training set #${set.number}: ${stats.examples} examples (${stats.train} train, ${stats.validation} validation, ${(stats.validationShare * 100).toFixed(1)} %)`,
    `  topics: ${Object.keys(stats.byTopic).length}, tokens: ${stats.tokens.total} (${stats.tokens.trained} trained), ${stats.maskedValues} personal values masked`,
    `  estimated training cost (${stats.estimatedCost[0]?.epochs ?? 3} epochs): ${cost}`,
    `  filtered out: ${filtered || 'nothing'}`,
    ...set.warnings.map((warning) => `  warning: ${warning}`),
  ].join('\n');
}

/** The validation file's path next to the training file: `train.jsonl` → `train.validation.jsonl`. */
export function validationPath(out: string): string {
  const extension = path.extname(out);
  return `${out.slice(0, out.length - extension.length)}.validation${extension || '.jsonl'}`;
}

/** `npm run training-data`: training sets of a tenant, their JSONL files, and the offline training loop. */
async function main(): Promise<number> {
  const [command, file] = commandLine().positionals;
  return withDatabase(async (context) => {
    const { database, logger } = context;
    const em = () => database.orm.em.fork();
    const tenantId = (await cliTenant(context, stringOption('tenant'))).id;
    const values = commandLine().values;
    switch (command) {
      case 'list': {
        const sets = await listTrainingSets(em(), tenantId);
        for (const set of sets) process.stdout.write(`${describe(set)}\n`);
        if (!sets.length) process.stdout.write('No training sets yet.\n');
        return 0;
      }
      case 'export': {
        const format = parseTrainingFormat(stringOption('format')!);
        const reference = stringOption('training-set');
        const set = reference
          ? await resolveTrainingSet(em(), tenantId, reference)
          : await createTrainingSet(em(), {
              tenantId,
              actor,
              settings: {
                minQuality: stringOption('min-quality') === undefined ? undefined : Number(stringOption('min-quality')),
                includeThumbsUp: values['include-thumbs-up'] === true ? true : undefined,
                maskPersonalData: values['no-mask'] === true ? false : undefined,
              },
            });
        const files = await trainingSetFiles(em(), tenantId, set.id, format);
        const out = stringOption('out')!;
        fs.writeFileSync(out, files.train);
        fs.writeFileSync(validationPath(out), files.validation);
        process.stderr.write(`${describe(set)}\nWrote ${out} and ${validationPath(out)} (${format}).\n`);
        return 0;
      }
      case 'import-corrections': {
        const rows = parseCsv(fs.readFileSync(file!, 'utf8'));
        const header = rows.shift() ?? [];
        const column = (name: string) => header.indexOf(name);
        const [question, topic, answer] = [column('instruction'), column('intent'), column('response')];
        if (question < 0 || answer < 0)
          throw new AppError('BAD_USER_INPUT', `${file} needs instruction and response columns`);
        const examples = rows
          .filter((row) => row[question]?.trim() && row[answer]?.trim())
          .map((row) => ({
            question: row[question]!,
            answer: row[answer]!,
            topic: topic < 0 ? '' : (row[topic] ?? ''),
          }));
        const { train, heldOut } = splitExamples(examples);
        const part = stringOption('part') ?? 'train';
        const chosen = part === 'train' ? train : part === 'held-out' ? heldOut : examples;
        const sample = stringOption('sample') ? chosen.slice(0, Number(stringOption('sample'))) : chosen;
        const bar = createProgressBar('corrections');
        const imported = await importApprovedCorrectionRows(
          database.orm.em,
          { tenantId, actor, rows: sample, quality: Number(stringOption('quality') ?? 5) },
          (done, total) => bar.update(done, total),
        );
        bar.finish();
        process.stdout.write(`Imported and approved ${imported} corrections (${part} part of ${file}).\n`);
        return 0;
      }
      case 'train-offline': {
        const stack = cliConversationStack(context);
        try {
          const result = await trainOfflineVersion(
            { em: database.orm.em, gateway: stack.gateway, logger },
            {
              tenantId,
              actor,
              dataset: stringOption('dataset')!,
              trainingSet: stringOption('training-set') ?? null,
              concurrency: Number(stringOption('concurrency') ?? 4),
            },
          );
          const metrics = result.offlineModel.metrics as { validation?: unknown } | null;
          process.stdout.write(
            `${describe(result.trainingSet)}\n` +
              `offline model ${result.offlineModel.id}: ${result.offlineModel.exampleCount} examples in ${result.offlineModel.trainingMs} ms; validation ${JSON.stringify(metrics?.validation ?? null)}\n` +
              `draft version #${result.version.number} (${result.version.status}); evaluation ${result.evaluation.id}: ${result.evaluation.verdict ?? result.evaluation.status}` +
              `${result.evaluation.gating ? '' : ' (not gating: fewer than 500 cases)'}\n` +
              result.evaluation.reasons.map((reason) => `  ${reason}\n`).join(''),
          );
          return result.evaluation.verdict === 'pass' ? 0 : 1;
        } finally {
          await stack.close();
        }
      }
      default:
        return 2;
    }
  });
}

runCli('training-data', main);
