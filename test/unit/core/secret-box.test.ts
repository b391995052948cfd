import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSecretKey, SecretBox } from '../../../src/security/secret-box';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(crypto.randomBytes(32));

  it('round-trips and never produces the same ciphertext twice', () => {
    const first = box.encrypt('sk-live-123');
    const second = box.encrypt('sk-live-123');
    expect(first).not.toBe(second);
    expect(first).not.toContain('sk-live-123');
    expect(box.decrypt(first)).toBe('sk-live-123');
    expect(box.decrypt(second)).toBe('sk-live-123');
  });

  it('detects tampering and a wrong key', () => {
    const stored = box.encrypt('secret');
    const parts = stored.split(':');
    const body = Buffer.from(parts[3], 'base64');
    body[0] ^= 1;
    parts[3] = body.toString('base64');
    expect(() => box.decrypt(parts.join(':'))).toThrow(/cannot be decrypted/);
    expect(() => new SecretBox(crypto.randomBytes(32)).decrypt(stored)).toThrow(/PARLEY_SECRET_KEY/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('resolveSecretKey', () => {
  it('prefers the configured key, otherwise creates a 0600 key file once and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-key-'));
    try {
      const configured = crypto.randomBytes(32);
      expect(resolveSecretKey(configured, dir)).toMatchObject({ key: configured, source: 'environment' });
      const first = resolveSecretKey(null, dir);
      expect(first.created).toBe(true);
      expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
      const second = resolveSecretKey(null, dir);
      expect(second.created).toBe(false);
      expect(second.key.equals(first.key)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key file other users can read, warns when its group can, and refuses a weak one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-key-'));
    const file = path.join(dir, 'secret.key');
    try {
      resolveSecretKey(null, dir);
      fs.chmodSync(file, 0o644);
      expect(() => resolveSecretKey(null, dir)).toThrow(/readable by other users \(mode 644\): run chmod 600/);
      fs.chmodSync(file, 0o640);
      expect(resolveSecretKey(null, dir).warning).toMatch(/readable by its group \(mode 640\)/);
      fs.chmodSync(file, 0o600);
      expect(resolveSecretKey(null, dir).warning).toBeUndefined();
      fs.writeFileSync(file, '0'.repeat(64) + '\n');
      expect(() => resolveSecretKey(null, dir)).toThrow(/weak key/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
