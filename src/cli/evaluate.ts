// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine, stringOption } from './command-line';
import { reportFormat } from './operator-commands';
import 'reflect-metadata';
import fs from 'node:fs';
import { evaluationReport, renderReport, type ReportFormat } from '../learning/evaluation/evaluation-report';
import { evaluateModelVersion } from '../learning/evaluation/evaluator';
import { runCli, withDatabase } from './cli-runner';
import { cliConversationStack, cliTenant } from './cli-services';
import { createProgressBar } from './progress-bar';

/** `npm run evaluate`: one model version over one dataset version, with the report and the verdict as exit code. */
async function main(): Promise<number> {
  // Checked by the command-line spec: --version and --dataset, the report format and --concurrency.
  const version = stringOption('version')!;
  const dataset = stringOption('dataset')!;
  const out = stringOption('out');
  const format = reportFormat(commandLine().values) as ReportFormat;
  return withDatabase(async (context) => {
    const { database, logger } = context;
    const tenant = await cliTenant(context, stringOption('tenant'));
    const stack = cliConversationStack(context);
    const bars = new Map<string, ReturnType<typeof createProgressBar>>();
    try {
      const run = await evaluateModelVersion(
        { em: database.orm.em, gateway: stack.gateway, logger },
        {
          tenantId: tenant.id,
          actor: 'system:evaluate-cli',
          version,
          dataset,
          concurrency: Number(stringOption('concurrency') ?? 4),
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
