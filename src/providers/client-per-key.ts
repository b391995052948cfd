import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * One SDK client per API key, made by `create` on first use and then reused
 * (clients keep connection pools). Keys are remembered by their SHA-256, so
 * the cache holds no key in clear; the `max` most recently used are kept.
 */
export function clientPerKey<Client extends object>(
  create: (apiKey: string) => Client,
  max = 200,
): (apiKey: string) => Client {
  const clients = new LRUCache<string, Client>({ max });
  return (apiKey) => {
    const name = crypto.createHash('sha256').update(apiKey).digest('hex');
    let client = clients.get(name);
    if (!client) {
      client = create(apiKey);
      clients.set(name, client);
    }
    return client;
  };
}
