// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from '../src/cli/command-line';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildControlPlaneSchema } from './build-schema';

/** The committed SDL file, found from this file's folder both in the sources and in dist/. */
export function schemaFilePath(): string {
  let folder = __dirname;
  while (!fs.existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error('package.json not found above ' + __dirname);
    folder = parent;
  }
  return path.join(folder, 'schema', 'schema.graphql');
}

/** The SDL the code produces now, sorted so unrelated reorderings in code never show as drift. */
export async function currentSchemaText(): Promise<string> {
  const header =
    '# Generated from the type-graphql resolvers by `npm run schema:emit`; do not edit. `npm run schema:check` fails when it is stale.\n\n';
  return header + printSchema(lexicographicSortSchema(await buildControlPlaneSchema())) + '\n';
}

async function main(mode: string | undefined): Promise<number> {
  const file = schemaFilePath();
  const text = await currentSchemaText();
  if (mode === '--check') {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (committed === text) {
      process.stdout.write(`schema/schema.graphql is up to date.\n`);
      return 0;
    }
    process.stderr.write(
      'schema/schema.graphql does not match the resolvers: run npm run schema:emit and commit the result.\n',
    );
    return 1;
  }
  fs.writeFileSync(file, text);
  process.stdout.write(`Wrote ${path.relative(process.cwd(), file)}.\n`);
  return 0;
}

if (require.main === module) {
  main(commandLine().values.check === true ? '--check' : undefined).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`schema: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
