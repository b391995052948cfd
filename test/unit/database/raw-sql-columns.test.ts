import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import fs from 'node:fs';
import path from 'node:path';
import { ormOptions } from '../../../src/db/orm';

/**
 * Hand-written INSERT and UPDATE statements (the hot path's CTEs, the delivery
 * store, jobs) name columns as strings. This test reads every such statement in
 * the code (benchmarks included) and checks each table and column against the MikroORM metadata, so
 * renaming or dropping an entity property breaks here, not in production.
 * Migrations are left out: they describe the schema's history.
 */
const ROOT = path.resolve(__dirname, '../../..');
const SCANNED = ['src', 'channels', 'schema', 'bench'];
/** Tables written by hand on purpose that no entity maps, and why. */
const NOT_ENTITIES: Record<string, string> = {
  baseline_message:
    "the turns benchmark's baseline process keeps its own one-table schema (bench/minimal-turn-handler.ts)",
  job_run_slot:
    'instance coordination written only by src/jobs/job-lock.ts (Migration20261207170000SharedInstanceState)',
  provider_health_window:
    "each instance's provider counters, written and summed only by src/providers/shared-health.ts",
  provider_health_circuit: "each instance's circuit states, written and read only by src/providers/shared-health.ts",
  rate_limit_window: 'shared rate-limit counters, written only by src/security/shared-rate-limiter.ts',
};

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

export interface ColumnUse {
  file: string;
  table: string;
  columns: string[];
  kind: 'insert' | 'update' | 'upsert';
}

/** The top-level (outside parentheses and string literals) comma-separated parts of `text`. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (!quoted && char === '(') depth += 1;
    if (!quoted && char === ')') depth -= 1;
    if (char === ',' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** The text up to the first top-level `where`, `from`, `returning` or end of string/template. */
function setClause(text: string): string {
  let depth = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === "'") quoted = !quoted;
    if (quoted) continue;
    if (char === '(') depth += 1;
    if (char === ')') {
      if (depth === 0) return text.slice(0, index);
      depth -= 1;
    }
    if (char === '`' || (depth === 0 && /^\s(where|from|returning)\s/i.test(text.slice(index, index + 12))))
      return text.slice(0, index);
  }
  return text;
}

/** Every INSERT (column list), UPDATE … SET and ON CONFLICT … DO UPDATE SET in `source`. */
export function columnUses(file: string, source: string): ColumnUse[] {
  // Template interpolations (`${bind(value, 'uuid')}`) become a placeholder so their commas do not split columns.
  const text = source.replace(/\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}/g, '?');
  const uses: ColumnUse[] = [];
  let lastInsertTable: string | null = null;
  const pattern =
    /\binsert\s+into\s+"?(\w+)"?\s*\(([^)]*)\)|\bdo\s+update\s+set\s|\bupdate\s+"?(\w+)"?(?:\s+(?!set\b)\w+)?\s+set\s/gi;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[1]) {
      lastInsertTable = match[1];
      uses.push({
        file,
        table: match[1],
        kind: 'insert',
        columns: match[2].split(',').map((column) => column.trim().replace(/"/g, '')),
      });
      continue;
    }
    const table = match[3] ?? lastInsertTable;
    if (!table) throw new Error(`${file}: ON CONFLICT … DO UPDATE without a preceding INSERT`);
    const assignments = topLevelParts(setClause(text.slice(pattern.lastIndex)));
    const columns = assignments.map(
      (assignment) => /^\s*"?(\w+)"?\s*=/.exec(assignment)?.[1] ?? `<unparsed: ${assignment.trim().slice(0, 40)}>`,
    );
    uses.push({ file, table, kind: match[3] ? 'update' : 'upsert', columns });
  }
  return uses;
}

describe('raw SQL columns match the MikroORM entities', () => {
  let orm: MikroORM;
  let columnsByTable: Map<string, Set<string>>;

  beforeAll(async () => {
    orm = await MikroORM.init({
      ...ormOptions({ url: 'postgresql://metadata-only@127.0.0.1:1/none' }),
      connect: false,
    });
    columnsByTable = new Map();
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      if (meta.abstract || !meta.tableName) continue;
      const columns = new Set(Object.values(meta.properties).flatMap((property) => property.fieldNames ?? []));
      columnsByTable.set(meta.tableName, columns);
    }
  });
  afterAll(() => orm.close());

  it('reads the statements it checks (parser self-check)', () => {
    const sample = `insert into message (id, tenant_id, text) values (?, ?, \${bind(a, 'text')})
      on conflict (id) do update set text = excluded.text, tenant_id = coalesce(?, message.tenant_id) returning id;
      update tenant set settings = jsonb_set(settings, '{a,b}', ?::jsonb) where id = ?;
      update conversation c set status = 'bot', last_activity_at = greatest(last_activity_at, ?) from tenant t where c.id = ?`;
    expect(columnUses('sample.ts', sample)).toEqual([
      { file: 'sample.ts', table: 'message', kind: 'insert', columns: ['id', 'tenant_id', 'text'] },
      { file: 'sample.ts', table: 'message', kind: 'upsert', columns: ['text', 'tenant_id'] },
      { file: 'sample.ts', table: 'tenant', kind: 'update', columns: ['settings'] },
      { file: 'sample.ts', table: 'conversation', kind: 'update', columns: ['status', 'last_activity_at'] },
    ]);
  });

  it('every INSERT and UPDATE names tables and columns the entities declare', () => {
    const uses = SCANNED.flatMap((root) => sourceFiles(path.join(ROOT, root))).flatMap((file) =>
      columnUses(path.relative(ROOT, file), fs.readFileSync(file, 'utf8')),
    );
    // The hot path's statements are among them (a parser that finds nothing checks nothing).
    const tables = new Set(uses.map((use) => use.table));
    for (const table of [
      'message',
      'conversation',
      'contact',
      'agent_interaction',
      'provider_usage',
      'interaction_feedback',
    ])
      expect(tables).toContain(table);
    const problems = uses
      .filter((use) => !(use.table in NOT_ENTITIES))
      .flatMap((use) => {
        const known = columnsByTable.get(use.table);
        if (!known) return [`${use.file}: ${use.kind} of ${use.table}, which no entity maps`];
        return use.columns
          .filter((column) => !known.has(column))
          .map(
            (column) => `${use.file}: ${use.kind} of ${use.table} names ${column}, which its entity does not declare`,
          );
      });
    expect(problems).toEqual([]);
  });
});
