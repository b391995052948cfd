import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { Tenant } from '../db/entities';
import { seedDemoTenant } from '../db/seed';
import { createConversationStack } from '../engine/engine-stack';
import { AppError, badInput } from '../errors';
import { DomainEvents } from '../events';
import { evaluationReport, renderReport, type ReportFormat } from '../learning/evaluation/evaluation-report';
import { evaluateModelVersion } from '../learning/evaluation/evaluator';
import { resolveSecretKey, SecretBox } from '../security/secret-box';
import { flag, integerOption, option } from './cli-options';
import { runCli, withDatabase } from './cli-runner';
import { createProgressBar } from './progress-bar';

const USAGE = `Usage:
  npm run evaluate -- --version <id or number> --dataset <name[@version]> [--tenant <name>] [--out report.md|report.csv|report.json]
                      [--format md|csv|json] [--concurrency <n>] [--no-compare]

Runs the model version over the dataset version through the same gateway customers use, as evaluation
traffic (no customer sees it; its usage is recorded apart), compares it with the active version on the
same dataset version, and writes the report (format from --out's extension, else Markdown on stdout).
Exit code 0 when it passes, 1 when it fails.`;

async function main(args: string[]): Promise<number> {
  if (flag(args, 'help') || !args.length) {
    process.stderr.write(`${USAGE}\n`);
    return args.length ? 0 : 2;
  }
  const version = option(args, 'version');
  const dataset = option(args, 'dataset');
  if (!version || !dataset) throw badInput(`--version and --dataset are required\n${USAGE}`);
  const out = option(args, 'out');
  const extension = out ? path.extname(out).slice(1).toLowerCase() : '';
  const format = (option(args, 'format') ?? (extension === 'markdown' ? 'md' : extension || 'md')) as ReportFormat;
  if (!['md', 'csv', 'json'].includes(format)) throw badInput('--format must be md, csv or json');
  return withDatabase(async ({ config, database, logger }) => {
    if (config.SEED_DEMO) await seedDemoTenant(database.orm.em.fork());
    const tenantName = option(args, 'tenant') ?? 'demo';
    const tenant = await database.orm.em.fork().findOne(Tenant, { name: tenantName });
    if (!tenant) throw new AppError('NOT_FOUND', `No tenant named ${tenantName} (use --tenant)`);
    const secret = resolveSecretKey(config.secretKey, config.PARLEY_DATA_DIR);
    const stack = createConversationStack({ config, orm: database.orm, events: new DomainEvents(), logger, secretBox: new SecretBox(secret.key) });
    const bars = new Map<string, ReturnType<typeof createProgressBar>>();
    try {
      const run = await evaluateModelVersion(
        { em: database.orm.em, gateway: stack.gateway, logger },
        {
          tenantId: tenant.id,
          actor: 'system:evaluate-cli',
          version,
          dataset,
          concurrency: integerOption(args, 'concurrency') ?? 4,
          compare: !flag(args, 'no-compare'),
          onProgress: (done, total, label) => {
            let bar = bars.get(label);
            if (!bar) {
              for (const other of bars.values()) other.finish();
              bar = createProgressBar(label);
              bars.set(label, bar);
            }
            bar.update(done, total);
          },
        },
      );
      for (const bar of bars.values()) bar.finish();
      const report = await evaluationReport(database.orm.em.fork(), tenant.id, run.id);
      const text = renderReport(report, format);
      if (out) {
        fs.writeFileSync(out, text);
        process.stderr.write(`Wrote ${out}. Verdict: ${run.verdict ?? run.status}${run.gating ? '' : ' (not gating)'}; ${run.reasons.join('; ')}\n`);
      } else process.stdout.write(text);
      return run.verdict === 'fail' ? 1 : 0;
    } finally {
      stack.close();
    }
  });
}

runCli('evaluate', main);
