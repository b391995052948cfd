import { ACTOR_KINDS, isActor, type Actor } from '../../../src/audit/audit-service';

describe('isActor', () => {
  it('accepts every kind the Actor type has, with something after the colon', () => {
    // One value of each kind, typed as Actor: a kind missing from ACTOR_KINDS would not compile.
    const actors: Actor[] = [
      'apikey:key-1',
      'slack:U0LEAD',
      'system:fine-tuning',
      'public:feedback',
      'customer:conv-9',
    ];
    expect(actors.map((actor) => actor.split(':')[0]).sort()).toEqual([...ACTOR_KINDS].sort());
    for (const actor of actors) expect(isActor(actor)).toBe(true);
    expect(isActor('slack:U0:with:colons')).toBe(true);
  });

  it('refuses unknown kinds, empty ids and strings without a kind', () => {
    for (const value of ['customer:', 'apikey', '', ':id', 'operator:bob', 'Customer:conv-9', ' slack:U0', 'system'])
      expect(isActor(value)).toBe(false);
  });
});
