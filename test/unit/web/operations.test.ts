import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { ALL_OPERATIONS } from '../../../web/src/api/operations';

// The console's hand-typed operations must stay valid against the emitted schema.
const schema = buildSchema(fs.readFileSync(path.join(__dirname, '../../../schema/schema.graphql'), 'utf8'));

describe('admin console GraphQL operations', () => {
  it.each(Object.entries(ALL_OPERATIONS))('%s is valid against schema/schema.graphql', (_name, document) => {
    const errors = validate(schema, parse(document.query));
    expect(errors.map((error) => error.message)).toEqual([]);
  });
});
