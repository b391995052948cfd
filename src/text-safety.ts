/**
 * Text PostgreSQL cannot store or that is not valid Unicode. PostgreSQL
 * rejects U+0000 in text and jsonb ("invalid byte sequence" / "unsupported
 * Unicode escape sequence"), which turns a client's stray byte into a query
 * error; a lone UTF-16 surrogate has no UTF-8 form at all. Boundaries either
 * refuse such text with a message (GraphQL arguments) or clean it (payloads a
 * platform really sends, where refusing would lose a customer's message).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** What is wrong with the text, as the end of a sentence, or null when it can be stored. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000): remove it';
  if (LONE_SURROGATE.test(value))
    return 'contains a lone UTF-16 surrogate (half of an emoji or other character): send valid Unicode';
  return null;
}

/** The text with NUL characters removed and lone surrogates replaced by U+FFFD. */
export function cleanText(value: string): string {
  // NUL is the very character being removed (PostgreSQL text cannot hold it).
  // eslint-disable-next-line no-control-regex
  return value.replace(/\u0000/g, '').replace(LONE_SURROGATES, '\uFFFD');
}

/** Cut to at most `max` UTF-16 code units without splitting a surrogate pair. */
export function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}
