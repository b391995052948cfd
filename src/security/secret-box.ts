import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import { weakBytesReason } from './key-strength';

/**
 * AES-256-GCM for secrets stored in the database (tenant provider keys, channel
 * tokens). Stored form: `v1:<iv b64>:<tag b64>:<ciphertext b64>`; a fresh
 * 12-byte IV per encryption, so the same secret never encrypts to the same text.
 */
export class SecretBox {
  private static readonly VERSION = 'v1';

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new AppError('CONFIG_INVALID', 'The secret key must be 32 bytes');
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [SecretBox.VERSION, iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, body] = stored.split(':');
    if (version !== SecretBox.VERSION || !iv || !tag || body === undefined) {
      throw new AppError('INTERNAL', 'A stored secret has an unknown format');
    }
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('INTERNAL', 'A stored secret cannot be decrypted: was PARLEY_SECRET_KEY changed?');
    }
  }
}

/**
 * The key from PARLEY_SECRET_KEY, or (outside production) a key file kept in
 * the data directory, created with mode 0600 on first start. An existing key
 * file that other users can read is refused (anyone on the machine could
 * decrypt every tenant secret); one the file's group can read is used with a
 * `warning` for the log. A weak key file is refused like a weak variable.
 */
export function resolveSecretKey(
  configured: Buffer | null,
  dataDir: string,
): { key: Buffer; source: 'environment' | 'key-file'; created: boolean; warning?: string } {
  if (configured) return { key: configured, source: 'environment', created: false };
  const file = path.resolve(dataDir, 'secret.key');
  if (fs.existsSync(file)) {
    const mode = fs.statSync(file).mode & 0o777;
    const octal = mode.toString(8).padStart(3, '0');
    if (mode & 0o007) {
      throw new AppError(
        'CONFIG_INVALID',
        `The key file ${file} is readable by other users (mode ${octal}): run chmod 600 ${file} and start again`,
      );
    }
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length !== 32)
      throw new AppError(
        'CONFIG_INVALID',
        `The key file ${file} is damaged: delete it only if no secrets were stored with it`,
      );
    const weakness = weakBytesReason(key);
    if (weakness)
      throw new AppError(
        'CONFIG_INVALID',
        `The key file ${file} holds a weak key (${weakness}): replace it before storing secrets`,
      );
    const warning =
      mode & 0o070 ? `The key file ${file} is readable by its group (mode ${octal}): run chmod 600 ${file}` : undefined;
    return { key, source: 'key-file', created: false, ...(warning ? { warning } : {}) };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: 'key-file', created: true };
}
