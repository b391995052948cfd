import fs from 'node:fs';
import { currentSchemaText, schemaFilePath } from '../../../schema/emit-schema';

describe('schema/schema.graphql', () => {
  it('matches what the resolvers produce (run npm run schema:emit when this fails)', async () => {
    const text = await currentSchemaText();
    expect(fs.readFileSync(schemaFilePath(), 'utf8')).toBe(text);
  });

  it('documents every type and field', async () => {
    const text = await currentSchemaText();
    expect(text).toContain('scalar DateTime');
    expect(text).toMatch(/costUsd: Float!/);
    // Every field line must be preceded by a description: no two undocumented field lines in a row.
    const lines = text.split('\n');
    const undocumented = lines.filter(
      (line, index) =>
        /^ {2}[a-zA-Z]+[(:]/.test(line) &&
        !/"""\s*$|"$/.test(lines[index - 1]!.trim()) &&
        !lines[index - 1]!.trim().endsWith('"""'),
    );
    expect(undocumented).toEqual([]);
  });
});
