/**
 * The form of a question used to decide that two questions are "the same":
 * lower case, every run of characters that are not letters or digits (punctuation,
 * symbols, spacing) becomes one space, trimmed. "Where's my ORDER??" and
 * "where s my order" are the same question. The migration that added the column
 * back-filled it with the equivalent SQL (`lower`, `[^[:alnum:]]+` → space).
 */
export function normalizeQuestion(question: string): string {
  return question
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Answers compared for "unchanged": the same text once spacing is collapsed. */
export function sameAnswer(left: string, right: string): boolean {
  return left.replace(/\s+/g, ' ').trim() === right.replace(/\s+/g, ' ').trim();
}

/** Topic labels are stored trimmed and in lower case (`ORDER` and `order ` are one topic); empty means none. */
export function normalizeTopic(topic: string | null | undefined): string | null {
  const cleaned = (topic ?? '').trim().toLowerCase();
  return cleaned ? cleaned.slice(0, 100) : null;
}
