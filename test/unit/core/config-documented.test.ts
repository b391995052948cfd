import fs from 'node:fs';
import path from 'node:path';
import { settings } from '../../../src/config';
import { renderEnvExample } from '../../../src/config/env-example';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('every setting is documented', () => {
  const reference = read('docs/configuration.md');
  const envExample = read('.env.example');

  it.each(Object.keys(settings))('docs/configuration.md has a row for %s', (name) => {
    expect(reference).toMatch(new RegExp('^\\|\\s*`' + name + '`\\s*\\|', 'm'));
  });

  it.each(Object.keys(settings))('.env.example lists %s', (name) => {
    expect(envExample).toMatch(new RegExp('^#?\\s*' + name + '=', 'm'));
  });

  it('.env.example is what `npm run env:example` generates from src/config', () => {
    expect(envExample).toBe(renderEnvExample());
  });

  it('documents nothing that is not a setting', () => {
    const rows = [...reference.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]);
    expect(rows.filter((name) => !(name in settings))).toEqual([]);
  });
});

describe('README', () => {
  const readme = read('README.md');

  it('starts with the two commands a new user needs', () => {
    const firstBlock = readme.split('```')[1];
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });
});
