/**
 * Exact match after normalisation (the SQuAD convention): lowercase, strip
 * punctuation, drop the articles a/an/the, squeeze whitespace. A reply that
 * differs from the expected one only in case, punctuation or spacing matches.
 */
export function normalizeForExactMatch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter((token) => token.length > 0)
    .join(' ');
}

export function exactMatch(expected: string, actual: string): boolean {
  return normalizeForExactMatch(expected) === normalizeForExactMatch(actual);
}
