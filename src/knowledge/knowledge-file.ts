import { parse as parseCsv } from 'csv-parse/sync';
import fs from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../errors';

/**
 * Reading an import file into rows of question / answer / topic. CSV (RFC 4180,
 * header row, quoted fields may span lines) or JSONL (one JSON object a line).
 * A column mapping says which column holds which field; without one the usual
 * names are tried (so the shared customer-support dataset,
 * `instruction,intent,category,tags,response`, maps question ← instruction,
 * answer ← response, topic ← category).
 */

export type ImportFormat = 'csv' | 'jsonl';
export const IMPORT_FIELDS = ['question', 'answer', 'topic'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export type ColumnMapping = Partial<Record<ImportField, string>>;

export interface ImportRow {
  /** 1-based record number in the file (header excluded; the line for JSONL). */
  row: number;
  question: string;
  answer: string;
  topic: string | null;
}

/** Candidate columns per field, in order of preference (case-insensitive). */
const DEFAULT_COLUMNS: Record<ImportField, string[]> = {
  question: ['question', 'instruction', 'prompt', 'query', 'customer_message'],
  answer: ['answer', 'response', 'reply', 'corrected_reply'],
  topic: ['topic', 'category', 'intent'],
};

/** Parses `question=instruction,answer=response,topic=category`. */
export function parseMapping(text: string): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const part of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [field, column] = part.split('=').map((item) => item.trim());
    if (!field || !column || !(IMPORT_FIELDS as readonly string[]).includes(field)) {
      throw badInput(
        `Bad mapping "${part}": use field=column with field one of ${IMPORT_FIELDS.join(', ')} (e.g. question=instruction,answer=response,topic=category)`,
      );
    }
    mapping[field as ImportField] = column;
  }
  return mapping;
}

export function formatOf(file: string, format?: string | null): ImportFormat {
  const chosen = (format ?? path.extname(file).slice(1)).toLowerCase();
  if (chosen === 'csv') return 'csv';
  if (chosen === 'jsonl' || chosen === 'ndjson') return 'jsonl';
  throw badInput(`Cannot tell the format of ${file}: pass --format csv or --format jsonl`);
}

/** The columns each field is read from: the mapping's, else the first default name present. */
export function resolveMapping(columns: string[], mapping: ColumnMapping): Record<ImportField, string | null> {
  const byLower = new Map(columns.map((column) => [column.toLowerCase(), column]));
  const resolved = {} as Record<ImportField, string | null>;
  for (const field of IMPORT_FIELDS) {
    const wanted = mapping[field];
    if (wanted) {
      const column = byLower.get(wanted.toLowerCase());
      if (!column)
        throw badInput(`Column "${wanted}" (for ${field}) is not in the file; its columns are: ${columns.join(', ')}`);
      resolved[field] = column;
    } else {
      resolved[field] = DEFAULT_COLUMNS[field].map((name) => byLower.get(name)).find(Boolean) ?? null;
    }
  }
  for (const field of ['question', 'answer'] as const) {
    if (!resolved[field])
      throw badInput(
        `No column for ${field}: pass --map ${field}=<column> (the file's columns are: ${columns.join(', ')})`,
      );
  }
  return resolved;
}

function cell(record: Record<string, unknown>, column: string | null): string {
  if (!column) return '';
  const value = record[column];
  if (value === null || value === undefined) return '';
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);
}

/** Parses file content into rows. Throws BAD_USER_INPUT for a malformed file (naming the line). */
export function parseImport(
  content: string,
  format: ImportFormat,
  mapping: ColumnMapping = {},
): { rows: ImportRow[]; columns: Record<ImportField, string | null> } {
  let records: Record<string, unknown>[];
  let columns: string[];
  if (format === 'csv') {
    try {
      records = parseCsv(content, {
        columns: true,
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
      }) as Record<string, string>[];
    } catch (error) {
      throw badInput(`The CSV file is malformed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const header = parseCsv(content, { bom: true, to_line: 1 }) as string[][];
    columns = header[0] ?? [];
  } else {
    records = [];
    const names = new Set<string>();
    content.split(/\r?\n/).forEach((line, index) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw badInput(`Line ${index + 1} of the JSONL file is not JSON`);
      }
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw badInput(`Line ${index + 1} of the JSONL file is not a JSON object`);
      // Checked just above: a non-array object.
      const record = value as Record<string, unknown>;
      Object.keys(record).forEach((name) => names.add(name));
      records.push({ ...record, __line: index + 1 });
    });
    columns = [...names];
  }
  const resolved = resolveMapping(columns, mapping);
  const rows = records.map((record, index) => ({
    row: typeof record.__line === 'number' ? record.__line : index + 1,
    question: cell(record, resolved.question).trim(),
    answer: cell(record, resolved.answer).trim(),
    topic: cell(record, resolved.topic).trim() || null,
  }));
  return { rows, columns: resolved };
}

export async function readImportFile(file: string, options: { format?: string | null; mapping?: ColumnMapping } = {}) {
  let content: string;
  try {
    content = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw badInput(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`,
    );
  }
  return parseImport(content, formatOf(file, options.format), options.mapping ?? {});
}
