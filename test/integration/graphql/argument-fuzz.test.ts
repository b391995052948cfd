import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { buildControlPlaneSchema } from '../../../schema/build-schema';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

/**
 * Walks EVERY argument (and every field of every input object, at any depth)
 * of the built schema's Query and Mutation fields, and of the fields their
 * results expose with arguments (one level down), and sends each bad value in
 * turn with valid values everywhere else. A client's mistake must never be an
 * INTERNAL_SERVER_ERROR nor an HTTP 5xx, and a refused mutation writes nothing.
 */
let database: TestDatabase;
let server: GraphqlTestServer;
let shop: TenantFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'fuzz', { turns: 3 });
  server = await startGraphqlServer(database.orm, { rateLimit: 1_000_000 });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const cursor = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const badStrings = ['\u0000', 'ok\u0000ok', 'a\ud800b', '\udc00', 'x'.repeat(100_000)];
const badByScalar: Record<string, unknown[]> = {
  String: badStrings,
  ID: [
    'not-a-uuid',
    '',
    '123',
    "1'; drop table tenant; --",
    '00000000-0000-0000-0000-00000000000\u0000',
    'a\ud800b',
    '7d444840-9dc0-11d1-b245-5ffdce74fad2x',
  ],
  DateTime: [
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2026-13-45T00:00:00Z',
    'yesterday',
    '\u0000',
  ],
  Int: [-1, 0, 2147483647, -2147483648],
  Float: [-1e308, 1e308, -1, 0],
  Boolean: [],
};
const badCursors = [
  'garbage',
  '\u0000',
  cursor(['2026-11-01T00:00:00.000Z', 'not-a-uuid']),
  cursor(['+275760-09-13T00:00:00.000Z', '7d444840-9dc0-41d1-b245-5ffdce74fad2']),
  cursor(['0000-01-01T00:00:00.000Z', '7d444840-9dc0-41d1-b245-5ffdce74fad2']),
  cursor(['2026-11-01T00:00:00.000Z', '7d444840-9dc0-41d1-b245-5ffdce74fad2\u0000']),
  cursor(['2026-11-01T00:00:00\u0000', '7d444840-9dc0-41d1-b245-5ffdce74fad2']),
  cursor({ a: 1 }),
  cursor([1, 2]),
];

function validValue(type: GraphQLInputType, depth = 0): unknown {
  if (isNonNullType(type)) return validValue(type.ofType, depth);
  if (isListType(type)) return [validValue(type.ofType, depth)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || depth < 1) value[field.name] = validValue(field.type, depth + 1);
    }
    return value;
  }
  switch (getNamedType(type).name) {
    case 'ID':
      return shop.interactions[0]!.id;
    case 'DateTime':
      return '2026-11-01T00:00:00Z';
    case 'Int':
      return 1;
    case 'Float':
      return 0.5;
    case 'Boolean':
      return true;
    default:
      return 'hello';
  }
}

/** Every (path, bad value) for one argument: the argument itself, or a field inside it at any depth. */
function badCases(name: string, type: GraphQLInputType): { path: string[]; value: unknown }[] {
  if (isNonNullType(type)) return badCases(name, type.ofType);
  if (isListType(type)) return badCases(name, type.ofType);
  if (isInputObjectType(type)) {
    return Object.values(type.getFields()).flatMap((field) =>
      badCases(field.name, field.type).map((item) => ({ path: [name, ...item.path], value: item.value })),
    );
  }
  if (isEnumType(type)) return [{ path: [name], value: 'NOT_A_VALUE' }];
  if (!isScalarType(type)) return [];
  const values =
    name === 'after' || name === 'before' ? [...badCursors, ...badStrings] : (badByScalar[type.name] ?? badStrings);
  return values.map((value) => ({ path: [name], value }));
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown, type: GraphQLInputType): void {
  const [head, ...rest] = path;
  if (!rest.length) {
    target[head!] = wrapList(type, value);
    return;
  }
  let inner = target[head!];
  const named = getNamedType(type);
  if (Array.isArray(inner)) inner = inner[0];
  if (!inner || typeof inner !== 'object') inner = validValue(named as GraphQLInputType) as Record<string, unknown>;
  const field = isInputObjectType(named) ? named.getFields()[rest[0]!] : undefined;
  setPath(inner as Record<string, unknown>, rest, value, field?.type ?? named);
  target[head!] = wrapList(type, inner);
}

function wrapList(type: GraphQLInputType, value: unknown): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner) && !Array.isArray(value) ? [value] : value;
}

function typeText(type: GraphQLInputType): string {
  return type.toString();
}

function selection(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  return isScalarType(named) || isEnumType(named) ? '' : '{ __typename }';
}

interface Case {
  operation: 'query' | 'mutation';
  label: string;
  document: string;
  variables: Record<string, unknown>;
}

function casesFor(operation: 'query' | 'mutation', root: GraphQLObjectType): Case[] {
  const cases: Case[] = [];
  for (const field of Object.values(root.getFields())) {
    const build = (
      args: readonly GraphQLArgument[],
      target: GraphQLArgument,
      path: string[],
      value: unknown,
      inner?: { field: GraphQLField<unknown, unknown>; args: readonly GraphQLArgument[] },
    ) => {
      const variables: Record<string, unknown> = {};
      const declare = (list: readonly GraphQLArgument[], prefix: string) =>
        list.map((arg) => `$${prefix}${arg.name}: ${typeText(arg.type)}`);
      for (const arg of args) if (isNonNullType(arg.type)) variables[`o${arg.name}`] = validValue(arg.type);
      for (const arg of inner?.args ?? [])
        if (isNonNullType(arg.type)) variables[`i${arg.name}`] = validValue(arg.type);
      const prefix = inner ? 'i' : 'o';
      setPath(variables, [`${prefix}${target.name}`, ...path.slice(1)], value, target.type);
      const outerArgs = args.map((arg) => `${arg.name}: $o${arg.name}`).join(', ');
      const innerArgs = inner?.args.map((arg) => `${arg.name}: $i${arg.name}`).join(', ');
      const body = inner ? `{ ${inner.field.name}(${innerArgs}) ${selection(inner.field)} }` : selection(field);
      const declarations = [...declare(args, 'o'), ...declare(inner?.args ?? [], 'i')].join(', ');
      cases.push({
        operation,
        label: `${field.name}${inner ? `.${inner.field.name}` : ''}(${path.join('.')} = ${JSON.stringify(value).slice(0, 60)})`,
        document: `${operation}${declarations ? `(${declarations})` : ''} { ${field.name}${outerArgs ? `(${outerArgs})` : ''} ${body} }`,
        variables,
      });
    };
    for (const arg of field.args)
      for (const bad of badCases(arg.name, arg.type)) build(field.args, arg, bad.path, bad.value);
    // Fields with arguments on what this field returns (conversation { messages(first, after) }, connections, ...).
    const named = getNamedType(field.type);
    if (operation === 'query' && 'getFields' in named && !isInputObjectType(named)) {
      for (const innerField of Object.values((named as GraphQLObjectType).getFields())) {
        for (const arg of innerField.args) {
          for (const bad of badCases(arg.name, arg.type))
            build(field.args, arg, bad.path, bad.value, { field: innerField, args: innerField.args });
        }
      }
    }
  }
  return cases;
}

async function rowCount(): Promise<number> {
  const connection = database.orm.em.fork().getConnection();
  const tables = await connection.execute<{ tablename: string }[]>(
    `select tablename from pg_tables where schemaname = 'public' and tablename not like 'mikro_orm%'`,
  );
  const union = tables.map((table) => `select count(*)::int as n from "${table.tablename}"`).join(' union all ');
  const [row] = await connection.execute<{ total: number }[]>(`select sum(n)::int as total from (${union}) counts`);
  return row!.total;
}

describe('GraphQL argument fuzz over the whole schema', () => {
  it('no INTERNAL_SERVER_ERROR, no 5xx, nothing written by a refused mutation', async () => {
    const schema = await buildControlPlaneSchema();
    const cases = [...casesFor('query', schema.getQueryType()!), ...casesFor('mutation', schema.getMutationType()!)];
    expect(cases.length).toBeGreaterThan(300);
    const failures: string[] = [];
    const codes: Record<string, number> = {};
    let refusedWrites = 0;
    for (const item of cases) {
      const before = item.operation === 'mutation' ? await rowCount() : 0;
      const result = await server.query(shop.keys.all, item.document, item.variables);
      const code = (result.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
      codes[code] = (codes[code] ?? 0) + 1;
      if (result.status >= 500) failures.push(`${item.label}: HTTP ${result.status}`);
      if (result.errors?.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR'))
        failures.push(`${item.label}: INTERNAL_SERVER_ERROR`);
      if (code === 'BAD_USER_INPUT' && !/[a-z]/i.test(result.errors![0]!.message))
        failures.push(`${item.label}: empty message`);
      if (item.operation === 'mutation' && result.errors?.length) {
        refusedWrites += 1;
        const after = await rowCount();
        if (after !== before) failures.push(`${item.label}: refused but wrote ${after - before} rows`);
      }
    }
    if (process.env.FUZZ_REPORT)
      process.stdout.write(
        `graphql fuzz: ${cases.length} cases, ${refusedWrites} refused mutations, codes ${JSON.stringify(codes)}\n`,
      );
    expect(failures).toEqual([]);
  }, 300_000);
});
