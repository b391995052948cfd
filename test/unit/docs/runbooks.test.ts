import fs from 'node:fs';
import path from 'node:path';
import { ALERT_RULES } from '../../../src/monitoring/alert-rules';

const directory = path.resolve(__dirname, '../../../docs/runbooks');

/** Every alert rule links to docs/runbooks/<rule>.md (served at /runbooks/<rule>); each says the same four things. */
describe('runbooks', () => {
  it.each([...ALERT_RULES])('%s has a runbook: what fired, how to confirm, what to do, how it resolves', (rule) => {
    const file = path.join(directory, `${rule}.md`);
    expect(fs.existsSync(file)).toBe(true);
    const headings = [...fs.readFileSync(file, 'utf8').matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings).toEqual(['What fired', 'Confirm', 'Act', 'Resolve']);
  });

  it('has no runbook for a rule that does not exist', () => {
    const files = fs.readdirSync(directory).map((file) => file.replace(/\.md$/, ''));
    expect(files.sort()).toEqual([...ALERT_RULES].sort());
  });
});
