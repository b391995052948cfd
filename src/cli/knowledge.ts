// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine, stringOption } from './command-line';
import 'reflect-metadata';
import path from 'node:path';
import { Tenant } from '../db/entities';
import { notFound } from '../errors';
import { parseMapping, readImportFile } from '../knowledge/knowledge-file';
import { importArticles, type ImportSummary } from '../knowledge/knowledge-import';
import { listArticles, restoreArticle, retireArticle, type ArticleStatusFilter } from '../knowledge/knowledge-service';
import { runCli, withDatabase } from './cli-runner';

/** A one-line bar redrawn in place on a terminal; on a pipe, one line per step so logs stay readable. */
function progressBar(stream: NodeJS.WriteStream) {
  let lastLine = -1;
  return (done: number, total: number) => {
    const ratio = total ? done / total : 1;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${Math.round(ratio * 100)}%${done === total ? '\n' : ''}`,
      );
    } else {
      const step = Math.floor(ratio * 10);
      if (step !== lastLine) {
        lastLine = step;
        stream.write(`imported ${done}/${total} (${Math.round(ratio * 100)}%)\n`);
      }
    }
  };
}

export function formatSummary(summary: ImportSummary): string {
  const lines = [
    `Rows: ${summary.rows}. Added ${summary.added}, updated ${summary.updated}, skipped ${summary.skipped} (${(summary.durationMs / 1000).toFixed(1)} s).`,
  ];
  for (const [reason, count] of Object.entries(summary.skippedReasons).sort((left, right) => right[1] - left[1]))
    lines.push(`  skipped ${count}: ${reason}`);
  if (summary.skippedExamples.length)
    lines.push(
      `  first skipped rows: ${summary.skippedExamples
        .slice(0, 10)
        .map((example) => example.row)
        .join(', ')}`,
    );
  return `${lines.join('\n')}\n`;
}

/** `npm run knowledge`: import, list, retire and restore a tenant's knowledge articles (audited as system:knowledge-cli). */
async function main(): Promise<number> {
  // Checked by the command-line spec: the command, --tenant, --file for import, the article id and --status (the file's format is checked on reading it).
  const [command, articleId] = commandLine().positionals;
  const values = {
    tenant: stringOption('tenant')!,
    file: stringOption('file'),
    format: stringOption('format'),
    map: stringOption('map'),
    search: stringOption('search'),
    status: stringOption('status'),
    reason: stringOption('reason'),
  };
  const status = values.status ?? 'active';
  const mapping = values.map ? parseMapping(values.map) : {};
  // Read the file before opening the database: a bad path or mapping fails in a moment.
  const file =
    command === 'import' ? await readImportFile(path.resolve(values.file!), { format: values.format, mapping }) : null;

  return withDatabase(async ({ database }) => {
    const em = database.orm.em.fork();
    const tenant = await em.findOne(Tenant, { name: values.tenant });
    if (!tenant) throw notFound('Tenant', values.tenant);
    const actor = 'system:knowledge-cli' as const;
    if (command === 'import') {
      const { rows, columns } = file!;
      process.stderr.write(
        `Importing ${rows.length} rows into ${tenant.name}: question ← ${columns.question}, answer ← ${columns.answer}, topic ← ${columns.topic ?? '(none)'}\n`,
      );
      const summary = await importArticles(em, {
        tenantId: tenant.id,
        actor,
        rows,
        label: path.basename(values.file!),
        onProgress: progressBar(process.stderr),
      });
      process.stdout.write(formatSummary(summary));
    } else if (command === 'list') {
      const page = await listArticles(em, {
        tenantId: tenant.id,
        filter: { search: values.search ?? null, status: status as ArticleStatusFilter },
        first: 100,
      });
      for (const article of page.nodes) {
        process.stdout.write(
          `${article.id}  ${article.active ? 'active' : article.retiredReason}  [${article.topic ?? '-'}]  ${article.question.replace(/\s+/g, ' ').slice(0, 80)}\n`,
        );
      }
      process.stdout.write(`${page.nodes.length} of ${page.totalCount} shown.\n`);
    } else if (command === 'retire') {
      const article = await retireArticle(em, {
        tenantId: tenant.id,
        actor,
        articleId: articleId!,
        reason: values.reason ?? null,
      });
      process.stdout.write(`Retired ${article.id}.\n`);
    } else {
      const { article, superseded } = await restoreArticle(em, { tenantId: tenant.id, actor, articleId: articleId! });
      process.stdout.write(`Restored ${article.id}${superseded ? ` (it replaces ${superseded.id})` : ''}.\n`);
    }
    return 0;
  });
}

runCli('knowledge', main);
