import net from 'node:net';

/** Express's "trust proxy" value: off, every hop, a hop count, or the addresses of trusted proxies. */
export type TrustProxy = boolean | number | string[];

const namedSubnets = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY as Express accepts it, or undefined when the text is not a valid value. */
export function parseTrustProxy(text: string): TrustProxy | undefined {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0' || value === 'no') return false;
  if (value === 'true' || value === 'yes') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const valid = entries.every((entry) => {
    if (namedSubnets.has(entry)) return true;
    const [address, bits, extra] = entry.split('/');
    if (extra !== undefined || !address || !net.isIP(address)) return false;
    if (bits === undefined) return true;
    const max = net.isIPv4(address) ? 32 : 128;
    return /^\d+$/.test(bits) && Number(bits) <= max;
  });
  return valid && entries.length ? entries : undefined;
}
