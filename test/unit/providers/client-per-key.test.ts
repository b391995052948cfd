import { clientPerKey } from '../../../src/providers/client-per-key';

describe('clientPerKey', () => {
  it('makes one client per API key and reuses it; the least recently used goes past `max`', () => {
    const made: string[] = [];
    const clientFor = clientPerKey((apiKey) => {
      made.push(apiKey);
      return { apiKey };
    }, 2);
    const first = clientFor('sk-one');
    expect(clientFor('sk-one')).toBe(first);
    expect(clientFor('sk-two')).not.toBe(first);
    expect(made).toEqual(['sk-one', 'sk-two']);

    clientFor('sk-three'); // evicts sk-one, the least recently used
    expect(clientFor('sk-two')).toEqual({ apiKey: 'sk-two' });
    expect(clientFor('sk-one')).not.toBe(first);
    expect(made).toEqual(['sk-one', 'sk-two', 'sk-three', 'sk-one']);
  });
});
