import { createHash } from 'node:crypto';
import { parse as parseCsvRecords } from 'csv-parse/sync';
import type { CaseContextMessage } from '../../db/entities';
import { badInput } from '../../errors';

/** A case as read from a file or typed by hand, before it is stored. */
export interface CaseInput {
  input: string;
  expectedReply: string;
  expectedTopic?: string | null;
  expectHandoff?: boolean;
  context?: CaseContextMessage[];
  sourceRef?: string | null;
  provenance?: Record<string, unknown> | null;
}

/**
 * Which column (CSV) or field (JSONL) holds each part of a case. Unset names
 * are guessed from common headers; the shared customer-support CSV
 * (instruction, intent, category, tags, response) works with no mapping.
 */
export interface ColumnMapping {
  input?: string;
  expectedReply?: string;
  expectedTopic?: string;
  expectHandoff?: string;
  /** A column holding the earlier conversation as JSON ([{role, text}]). */
  context?: string;
  /** Cases whose topic is one of these expect a handoff (e.g. `contact_human_agent`). */
  handoffTopics?: string[];
}

const GUESSES: Record<'input' | 'expectedReply' | 'expectedTopic' | 'expectHandoff' | 'context', string[]> = {
  input: ['input', 'question', 'instruction', 'customer_message', 'customerMessage', 'message', 'prompt'],
  expectedReply: ['expected_reply', 'expectedReply', 'response', 'answer', 'reply', 'completion'],
  expectedTopic: ['expected_topic', 'expectedTopic', 'topic', 'intent'],
  expectHandoff: ['expect_handoff', 'expectHandoff', 'handoff'],
  context: ['context', 'history'],
};

export type CaseFileFormat = 'csv' | 'jsonl';

/**
 * RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks) as rows of cells, with the
 * byte-order mark and blank rows dropped: `csv-parse`, the parser the knowledge import already uses.
 */
export function parseCsv(text: string): string[][] {
  const rows = parseCsvRecords(text, { bom: true, relax_column_count: true, relax_quotes: true }) as string[][];
  return rows.filter((cells) => cells.some((cell) => cell.trim().length));
}

function pick(
  names: string[],
  explicit: string | undefined,
  guesses: string[],
  part: string,
  required: boolean,
): string | null {
  if (explicit) {
    if (!names.includes(explicit))
      throw badInput(`Column ${explicit} (for ${part}) is not in the file; it has ${names.join(', ')}`);
    return explicit;
  }
  const found = guesses.find((guess) => names.includes(guess)) ?? null;
  if (!found && required) throw badInput(`No column for ${part}: map one (it has ${names.join(', ')})`);
  return found;
}

function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return ['1', 'true', 'yes', 'y'].includes(
    String(value ?? '')
      .trim()
      .toLowerCase(),
  );
}

function parseContext(value: unknown, where: string): CaseContextMessage[] {
  if (value === undefined || value === null || value === '') return [];
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(parsed)) throw badInput(`${where}: context must be a JSON array of {role, text}`);
  return parsed.map((entry: { role?: string; text?: string; content?: string }) => ({
    role: entry.role === 'agent' || entry.role === 'assistant' ? 'agent' : 'customer',
    text: String(entry.text ?? entry.content ?? ''),
  }));
}

/** Reads a CSV or JSONL file's records into cases with `mapping`; rows without an input or expected reply are skipped and counted. */
export function readCaseFile(
  text: string,
  format: CaseFileFormat,
  mapping: ColumnMapping = {},
  fileName = 'file',
): { cases: CaseInput[]; skipped: number } {
  let records: Array<Record<string, unknown>>;
  if (format === 'csv') {
    const rows = parseCsv(text);
    const header = rows.shift() ?? [];
    records = rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ''])));
  } else {
    records = text
      .split(/\r?\n/)
      .map((line, index) => ({ line: line.trim(), index }))
      .filter(({ line }) => line.length > 0)
      .map(({ line, index }) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw badInput(`${fileName} line ${index + 1} is not JSON`);
        }
      });
  }
  const names = [...new Set(records.flatMap((record) => Object.keys(record)))];
  const columns = {
    input: pick(names, mapping.input, GUESSES.input, 'the customer message', true)!,
    expectedReply: pick(names, mapping.expectedReply, GUESSES.expectedReply, 'the expected reply', true)!,
    expectedTopic: pick(names, mapping.expectedTopic, GUESSES.expectedTopic, 'the expected topic', false),
    expectHandoff: pick(names, mapping.expectHandoff, GUESSES.expectHandoff, 'expect handoff', false),
    context: pick(names, mapping.context, GUESSES.context, 'the context', false),
  };
  const handoffTopics = new Set(mapping.handoffTopics ?? []);
  const cases: CaseInput[] = [];
  let skipped = 0;
  records.forEach((record, index) => {
    const input = String(record[columns.input] ?? '').trim();
    const expectedReply = String(record[columns.expectedReply] ?? '').trim();
    if (!input || !expectedReply) {
      skipped += 1;
      return;
    }
    const topic = columns.expectedTopic ? String(record[columns.expectedTopic] ?? '').trim() || null : null;
    // CSV: line 1 is the header, so record i is row i + 2 (records with line breaks inside count as one row).
    const where = format === 'csv' ? `${fileName}:row ${index + 2}` : `${fileName}:line ${index + 1}`;
    cases.push({
      input,
      expectedReply,
      expectedTopic: topic,
      expectHandoff:
        (columns.expectHandoff ? truthy(record[columns.expectHandoff]) : false) ||
        (topic !== null && handoffTopics.has(topic)),
      context: columns.context ? parseContext(record[columns.context], where) : [],
      sourceRef: where,
      provenance: { file: fileName },
    });
  });
  return { cases, skipped };
}

/** A deterministic sample of `size` cases (by a hash of each input), kept in file order. */
export function sampleCases(cases: CaseInput[], size: number): CaseInput[] {
  if (size >= cases.length) return cases;
  const ranked = cases
    .map((entry, index) => ({
      index,
      key: createHash('sha1').update(entry.input).update('\u0000').update(String(index)).digest('hex'),
    }))
    .sort((first, second) => (first.key < second.key ? -1 : first.key > second.key ? 1 : 0))
    .slice(0, size)
    .map((entry) => entry.index)
    .sort((first, second) => first - second);
  return ranked.map((index) => cases[index]);
}
