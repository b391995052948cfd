import { all, positiveInteger } from './command-checks';
import type { CommandSpec } from './command-line';

/** Parsed before anything heavy loads (see command-line.ts): node's own modules only. */
export const TRAINING_DATA_COMMANDS = ['export', 'list', 'import-corrections', 'train-offline'];

export const TRAINING_COMMANDS: Record<string, CommandSpec> = {
  'src/cli/training-data': {
    usage: `Usage (every command takes --tenant <name>, default demo):
  npm run training-data -- export --format openai|gemini --out <train.jsonl> [--training-set <number|latest>]
        [--min-quality <0-5>] [--include-thumbs-up] [--no-mask]
  npm run training-data -- list
  npm run training-data -- import-corrections <file.csv> [--part train|held-out|all] [--sample <n>] [--quality <0-5>]
  npm run training-data -- train-offline --dataset <name[@version]> [--training-set <number|latest>] [--concurrency <n>]

export builds a new training set (unless --training-set names one) from the approved corrections with a
quality score ≥ the tenant's training.minQuality (default 4), writes the training file to --out and the
validation file next to it (<name>.validation.jsonl), and prints the statistics. Refused below 10 examples.
import-corrections turns rows of a CSV with instruction, intent, category and response columns (the shared
customer-support dataset) into approved corrections with their topic: the demo tenant's history of corrections.
train-offline runs the offline loop: training set → offline model → draft version → evaluation against the
active version on --dataset. Exit code 0 when the evaluation passes, 1 when it fails.
`,
    options: {
      tenant: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'training-set': { type: 'string' },
      'min-quality': { type: 'string' },
      'include-thumbs-up': { type: 'boolean' },
      'no-mask': { type: 'boolean' },
      part: { type: 'string' },
      sample: { type: 'string' },
      quality: { type: 'string' },
      dataset: { type: 'string' },
      concurrency: { type: 'string' },
    },
    positionals: { min: 1, max: 2 },
    check: all(
      (values, positionals) => {
        const [command, file] = positionals;
        if (!TRAINING_DATA_COMMANDS.includes(command!))
          return `unknown command ${JSON.stringify(command)}: use ${TRAINING_DATA_COMMANDS.join(', ')}`;
        if (command === 'export') {
          if (!['openai', 'gemini'].includes(String(values.format)))
            return `export needs --format openai or gemini, not ${JSON.stringify(values.format)}`;
          if (!values.out) return 'export needs --out <file>';
        }
        if (command === 'import-corrections' && !file) return 'import-corrections needs a CSV file';
        if (values.part !== undefined && !['train', 'held-out', 'all'].includes(String(values.part)))
          return `--part must be train, held-out or all, not ${JSON.stringify(values.part)}`;
        if (command === 'train-offline' && !values.dataset) return 'train-offline needs --dataset <name[@version]>';
        for (const name of ['min-quality', 'quality']) {
          const value = values[name];
          if (value !== undefined && !(Number(value) >= 0 && Number(value) <= 5))
            return `--${name} must be a number from 0 to 5`;
        }
        return null;
      },
      positiveInteger('sample'),
      positiveInteger('concurrency'),
    ),
  },
};
