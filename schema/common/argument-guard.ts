import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from '../../src/errors';
import { isUuid } from '../../src/ids';
import { textProblem } from '../../src/text-safety';

/** PostgreSQL's timestamptz goes further, but JavaScript and ISO-8601 round trips agree only on years 1–9999. */
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

/**
 * What is wrong with one argument value, given its GraphQL type, or null.
 * Runs on values graphql-js has already coerced (so types are right); this
 * adds what the type system cannot say: ids are uuids, strings are storable,
 * dates are in a range the database and clients agree on.
 */
export function argumentProblem(value: unknown, type: GraphQLInputType, path: string): string | null {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return argumentProblem(value, type.ofType, path);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    for (const [index, item] of items.entries()) {
      const problem = argumentProblem(item, type.ofType, `${path}[${index}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    for (const [name, field] of Object.entries(fields)) {
      const problem = argumentProblem((value as Record<string, unknown>)[name], field.type, `${path}.${name}`);
      if (problem) return problem;
    }
    return null;
  }
  if (isScalarType(type)) return scalarProblem(value, type.name, path);
  return null;
}

function scalarProblem(value: unknown, scalar: string, path: string): string | null {
  if (typeof value === 'string') {
    const text = textProblem(value);
    if (text) return `${path} ${text}`;
    if (scalar === 'ID' && !isUuid(value))
      return `${path} must be an id as returned by this API (a UUID such as 123e4567-e89b-42d3-a456-426614174000), got ${preview(value)}`;
    return null;
  }
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    if (Number.isNaN(year) || year < MIN_YEAR || year > MAX_YEAR)
      return `${path} must be a date between the years ${MIN_YEAR} and ${MAX_YEAR}`;
    return null;
  }
  if (value && typeof value === 'object') {
    // JSON-like scalars: every string inside must be storable too.
    for (const [key, inner] of Object.entries(value)) {
      const problem = scalarProblem(key, 'String', `${path} key`) ?? scalarProblem(inner, 'JSON', `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return null;
}

function preview(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

/**
 * Checks every argument of every field before its resolver runs, so a
 * client's mistake is BAD_USER_INPUT naming the argument, never a database
 * error surfacing as INTERNAL_SERVER_ERROR. Mutates the built schema's field
 * resolvers in place (graphql-js field configs are plain objects).
 */
export function guardArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const args = field.args;
      field.resolve = (source, values: Record<string, unknown>, context, info) => {
        for (const arg of args) {
          const problem = argumentProblem(values[arg.name], arg.type, arg.name);
          if (problem) throw badInput(`${problem}`, { field: arg.name });
        }
        return resolve(source, values, context, info);
      };
    }
  }
  return schema;
}

/** The named scalar of an argument type (tests use it to pick bad values). */
export function namedTypeName(type: GraphQLInputType): string {
  return getNamedType(type).name;
}
