export * from './bleu';
export * from './bleu-tokenizers';
export * from './rouge';
export * from './exact-match';
export * from './summary-statistics';
export * from './porter-stemmer';
