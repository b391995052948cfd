/**
 * The tokenizers sacreBLEU offers, with its semantics. `13a` (the default) is
 * mteval-v13a.pl's tokenizer, the one WMT's official scores use.
 */
export type BleuTokenizer = '13a' | 'none' | 'intl' | 'char';

/** mteval-v13a's language-dependent rules, applied in order to ` line `. */
const RULES_13A: Array<[RegExp, string]> = [
  // Symbols and punctuation other than period, comma and dash become tokens.
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  // Period and comma, unless preceded by a digit.
  [/([^0-9])([.,])/g, '$1 $2 '],
  // Period and comma, unless followed by a digit.
  [/([.,])([^0-9])/g, ' $1 $2'],
  // Dash when preceded by a digit.
  [/([0-9])(-)/g, '$1 $2 '],
];

/** sacreBLEU's `intl` rules: Unicode punctuation and symbols split off, except inside numbers. */
const RULES_INTL: Array<[RegExp, string]> = [
  [/(\P{N})(\p{P})/gu, '$1 $2 '],
  [/(\p{P})(\P{N})/gu, ' $1 $2'],
  [/(\p{S})/gu, ' $1 '],
];

/** Python's `str.split()` then `' '.join`: whitespace runs become one space, none at the ends. */
function squeeze(line: string): string {
  return line
    .split(/\s+/)
    .filter((token) => token.length > 0)
    .join(' ');
}

function applyRules(line: string, rules: Array<[RegExp, string]>): string {
  let result = line;
  for (const [pattern, replacement] of rules) result = result.replace(pattern, replacement);
  return squeeze(result);
}

export function tokenize13a(text: string): string {
  let line = text.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (line.includes('&')) {
    line = line.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  return applyRules(` ${line} `, RULES_13A);
}

export function tokenizeIntl(text: string): string {
  return applyRules(text, RULES_INTL);
}

/** Every character but spaces is a token. */
export function tokenizeChar(text: string): string {
  return [...text.trim()].filter((character) => character !== ' ').join(' ');
}

export function tokenizeForBleu(text: string, tokenizer: BleuTokenizer): string {
  switch (tokenizer) {
    case '13a':
      return tokenize13a(text);
    case 'intl':
      return tokenizeIntl(text);
    case 'char':
      return tokenizeChar(text);
    case 'none':
      return text;
  }
}
