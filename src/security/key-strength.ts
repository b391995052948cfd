/**
 * When a 32-byte secret key is too weak to keep tenant secrets. The rule, so
 * operators can predict it (docs/configuration.md, PARLEY_SECRET_KEY):
 *
 * - the decoded key has at least 20 distinct byte values (32 random bytes have
 *   fewer than 20 with probability 1.4e-10; 64 zeros, `abab…`, a repeated short
 *   pattern or a hex-encoded word all have far fewer);
 * - its bytes are not an arithmetic run (00 01 02 … or ff fe fd …);
 * - written as base64 it is the canonical encoding (44 characters ending in one
 *   `=`, as `openssl rand -base64 32` prints it) and mixes upper- and lower-case
 *   letters (a random key lacks one of them with probability 3.6e-10; a phrase
 *   such as `correcthorsebatterystaple…` that happens to decode to 32 bytes does not).
 */
export const MIN_DISTINCT_KEY_BYTES = 20;

export function weakKeyReason(text: string, key: Buffer): string | null {
  const trimmed = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    if (key.toString('base64') !== trimmed)
      return 'base64 keys must be the canonical 44-character encoding of 32 bytes';
    if (!/[A-Z]/.test(trimmed) || !/[a-z]/.test(trimmed))
      return 'it reads like a phrase, not random bytes (a random base64 key mixes upper- and lower-case letters)';
  }
  return weakBytesReason(key);
}

/** The byte rules alone (also applied to a key file). */
export function weakBytesReason(key: Buffer): string | null {
  const distinct = new Set(key).size;
  if (distinct < MIN_DISTINCT_KEY_BYTES)
    return `it has only ${distinct} distinct byte values (random keys have at least ${MIN_DISTINCT_KEY_BYTES})`;
  const step = (key[1]! - key[0]! + 256) % 256;
  let arithmetic = true;
  for (let index = 2; index < key.length && arithmetic; index++)
    arithmetic = (key[index]! - key[index - 1]! + 256) % 256 === step;
  if (arithmetic) return 'its bytes are a counting sequence';
  return null;
}
