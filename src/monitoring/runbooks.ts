import type { Express } from 'express';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ALERT_RULES } from './alert-rules';

/** The runbook of the learning loop's alerts: an experiment stopped by its guard, a rollout rolled back. */
export const MODEL_VERSION_GUARD_RUNBOOK = 'model-version-guard';

/** Every runbook parley serves: one per alert rule, and the learning loop's. */
export const RUNBOOK_NAMES: readonly string[] = [...ALERT_RULES, MODEL_VERSION_GUARD_RUNBOOK];

/**
 * Serves `docs/runbooks/<rule>.md` at `GET /runbooks/<rule>` as Markdown text,
 * for the five rules and the learning loop's guard only (a fixed list, so no path ever reaches the file
 * system from the request), so alert links work without publishing the docs.
 */
export function runbookMounter(directory = path.resolve('docs/runbooks')) {
  return (app: Express) => {
    app.get('/runbooks/:rule', async (request, response, next) => {
      const rule = RUNBOOK_NAMES.find((name) => name === request.params.rule);
      if (!rule) return next();
      try {
        const text = await fs.readFile(path.join(directory, `${rule}.md`), 'utf8');
        response.type('text/markdown; charset=utf-8').send(text);
      } catch (error) {
        next(error);
      }
    });
  };
}
