import fs from 'node:fs';
import path from 'node:path';
import { settings } from '../../../src/config';

describe('README configuration table', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

  it.each(Object.keys(settings))('documents %s', (name) => {
    expect(readme).toMatch(new RegExp('^\\|\\s*`' + name + '`\\s*\\|', 'm'));
  });

  it('starts with the two commands a new user needs', () => {
    const firstBlock = readme.split('```')[1];
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });
});
