import fs from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';

export const SCOPES = ['analytics:view', 'corrections:write', 'users:manage', 'tenants:manage'] as const;

/**
 * Scope → the Query and Mutation fields whose schema description names it
 * ("Scope: users:manage", "Scopes: analytics:view or corrections:write"), in
 * schema order, from the committed schema/schema.graphql.
 */
export function fieldsByScope(): Record<string, { queries: string[]; mutations: string[] }> {
  const schema = buildSchema(fs.readFileSync(path.resolve(__dirname, '../../schema/schema.graphql'), 'utf8'));
  const result = Object.fromEntries(
    SCOPES.map((scope) => [scope, { queries: [] as string[], mutations: [] as string[] }]),
  );
  const kinds = [
    ['queries', schema.getQueryType()],
    ['mutations', schema.getMutationType()],
  ] as const;
  for (const [kind, type] of kinds) {
    for (const [name, field] of Object.entries(type?.getFields() ?? {})) {
      const named = /Scopes?: ([a-z:, ]+?)(?:[.;)]|$| \()/.exec(field.description ?? '');
      for (const scope of named?.[1].split(/,\s*|\s+or\s+/) ?? []) result[scope.trim()]?.[kind].push(name);
    }
  }
  return result;
}
