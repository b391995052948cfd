// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from './command-line';
import { reportFormat } from './operator-commands';
import 'reflect-metadata';
import fs from 'node:fs';
import { Tenant } from '../db/entities';
import { seedDemoTenant } from '../db/seed';
import { createConversationStack } from '../engine/engine-stack';
import { AppError } from '../errors';
import { DomainEvents } from '../events';
import { evaluationReport, renderReport, type ReportFormat } from '../learning/evaluation/evaluation-report';
import { evaluateModelVersion } from '../learning/evaluation/evaluator';
import { resolveSecretKey, SecretBox } from '../security/secret-box';
import { runCli, withDatabase } from './cli-runner';
import { createProgressBar } from './progress-bar';

function option(name: string): string | undefined {
  const value = commandLine().values[name];
  return typeof value === 'string' ? value : undefined;
}

/** `npm run evaluate`: one model version over one dataset version, with the report and the verdict as exit code. */
async function main(): Promise<number> {
  // Checked by the command-line spec: --version and --dataset, the report format and --concurrency.
  const version = option('version')!;
  const dataset = option('dataset')!;
  const out = option('out');
  const format = reportFormat(commandLine().values) as ReportFormat;
  return withDatabase(async ({ config, database, logger }) => {
    if (config.SEED_DEMO) await seedDemoTenant(database.orm.em.fork());
    const tenantName = option('tenant') ?? 'demo';
    const tenant = await database.orm.em.fork().findOne(Tenant, { name: tenantName });
    if (!tenant) throw new AppError('NOT_FOUND', `No tenant named ${tenantName} (use --tenant)`);
    const secret = resolveSecretKey(config.secretKey, config.PARLEY_DATA_DIR);
    const stack = createConversationStack({
      config,
      orm: database.orm,
      events: new DomainEvents(),
      logger,
      secretBox: new SecretBox(secret.key),
    });
    const bars = new Map<string, ReturnType<typeof createProgressBar>>();
    try {
      const run = await evaluateModelVersion(
        { em: database.orm.em, gateway: stack.gateway, logger },
        {
          tenantId: tenant.id,
          actor: 'system:evaluate-cli',
          version,
          dataset,
          concurrency: Number(option('concurrency') ?? 4),
          compare: commandLine().values['no-compare'] !== true,
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
        process.stderr.write(
          `Wrote ${out}. Verdict: ${run.verdict ?? run.status}${run.gating ? '' : ' (not gating)'}; ${run.reasons.join('; ')}\n`,
        );
      } else process.stdout.write(text);
      return run.verdict === 'fail' ? 1 : 0;
    } finally {
      await stack.close();
    }
  });
}

runCli('evaluate', main);
