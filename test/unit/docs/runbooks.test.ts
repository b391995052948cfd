import fs from 'node:fs';
import path from 'node:path';
import { ALERT_RULES } from '../../../src/monitoring/alert-rules';
import { MODEL_VERSION_GUARD_RUNBOOK, RUNBOOK_NAMES } from '../../../src/monitoring/runbooks';

const directory = path.resolve(__dirname, '../../../docs/runbooks');

/**
 * Every alert links to docs/runbooks/<name>.md (served at /runbooks/<name>):
 * the five rules by their rule name, the learning loop's guard and rollback
 * alerts to model-version-guard. Each says the same four things.
 */
describe('runbooks', () => {
  it('cover every alert rule and the learning loop guard', () => {
    expect(RUNBOOK_NAMES).toEqual([...ALERT_RULES, MODEL_VERSION_GUARD_RUNBOOK]);
  });

  it.each([...RUNBOOK_NAMES])('%s has a runbook: what fired, how to confirm, what to do, how it resolves', (name) => {
    const file = path.join(directory, `${name}.md`);
    expect(fs.existsSync(file)).toBe(true);
    const headings = [...fs.readFileSync(file, 'utf8').matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings).toEqual(['What fired', 'Confirm', 'Act', 'Resolve']);
  });

  it('has no runbook no alert links to', () => {
    const files = fs.readdirSync(directory).map((file) => file.replace(/\.md$/, ''));
    expect(files.sort()).toEqual([...RUNBOOK_NAMES].sort());
  });
});
