import {
  auditFilterFromForm,
  createKeyProblem,
  describeActor,
  describeAuditEntry,
  describeChange,
  describeTarget,
  EMPTY_AUDIT_FILTER,
  keyState,
  localInputToIso,
  revokeConsequences,
  scopeChoices,
} from '../../../web/src/lib/access';

describe('creating a key', () => {
  it('offers only the scopes the signed-in key has', () => {
    const choices = scopeChoices(['users:manage', 'analytics:view']);
    expect(choices.map((choice) => [choice.scope, choice.grantable])).toEqual([
      ['analytics:view', true],
      ['corrections:write', false],
      ['users:manage', true],
    ]);
  });

  it('needs a name of 1–100 characters and a scope', () => {
    expect(createKeyProblem('  ', ['analytics:view'])).toMatch(/name/);
    expect(createKeyProblem('x'.repeat(101), ['analytics:view'])).toMatch(/too long/);
    expect(createKeyProblem('bi', [])).toMatch(/scope/);
    expect(createKeyProblem(' bi ', ['analytics:view'])).toBeNull();
  });
});

describe('revoking a key', () => {
  it('says what stops, and warns only for the key of this session', () => {
    const other = revokeConsequences({ name: 'bi', prefix: 'pk_abc123', current: false });
    expect(other.message).toContain('“bi” (pk_abc123…)');
    expect(other.message).toContain('console session');
    expect(other.warning).toBeNull();
    const mine = revokeConsequences({ name: 'me', prefix: 'pk_def456', current: true });
    expect(mine.warning).toMatch(/current session.*signed out/);
  });

  it('names the state of a key', () => {
    expect(keyState({ revokedAt: '2026-12-01T00:00:00Z', lastUsedAt: '2026-11-01T00:00:00Z' })).toBe('revoked');
    expect(keyState({ revokedAt: null, lastUsedAt: '2026-11-01T00:00:00Z' })).toBe('active');
    expect(keyState({ revokedAt: null, lastUsedAt: null })).toBe('unused');
  });
});

describe('the audit filter form', () => {
  it('sends nothing for an empty form', () => {
    expect(auditFilterFromForm(EMPTY_AUDIT_FILTER)).toEqual({ filter: null, problem: null });
  });

  it('reads the target as an id or a type, and a bare key id as an apikey actor', () => {
    const id = '0839eed2-5a0c-4c1f-9a57-1b2f3c4d5e6f';
    expect(auditFilterFromForm({ ...EMPTY_AUDIT_FILTER, action: ' apikey ', target: id, actor: id }).filter).toEqual({
      action: 'apikey',
      targetId: id,
      actor: `apikey:${id}`,
    });
    expect(auditFilterFromForm({ ...EMPTY_AUDIT_FILTER, target: 'ApiKey', actor: 'system:keys-cli' }).filter).toEqual({
      targetType: 'ApiKey',
      actor: 'system:keys-cli',
    });
  });

  it('reads times in the viewer’s zone and refuses an empty or invalid range', () => {
    const iso = localInputToIso('2026-12-07T10:30')!;
    const parsed = new Date(iso);
    // The instant is 10:30 on the viewer's clock, whatever zone the test runs in.
    expect([parsed.getFullYear(), parsed.getMonth(), parsed.getDate(), parsed.getHours(), parsed.getMinutes()]).toEqual(
      [2026, 11, 7, 10, 30],
    );
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('soon')).toBeNull();
    const range = auditFilterFromForm({ ...EMPTY_AUDIT_FILTER, from: '2026-12-07T10:00', to: '2026-12-07T11:00' });
    expect(range.filter).toEqual({
      from: localInputToIso('2026-12-07T10:00'),
      to: localInputToIso('2026-12-07T11:00'),
    });
    expect(
      auditFilterFromForm({ ...EMPTY_AUDIT_FILTER, from: '2026-12-07T11:00', to: '2026-12-07T11:00' }).problem,
    ).toMatch(/before/);
    expect(auditFilterFromForm({ ...EMPTY_AUDIT_FILTER, to: 'later' }).problem).toMatch(/not a valid/);
  });
});

describe('audit rows in words', () => {
  const entry = {
    actor: 'apikey:0839eed2-5a0c-4c1f-9a57-1b2f3c4d5e6f',
    actorName: 'all',
    action: 'apikey.revoke',
    targetType: 'ApiKey',
    targetId: '11111111-2222-4333-8444-555555555555',
    targetName: 'bi',
    before: '{"revokedAt":null}',
    after: '{"revokedAt":"2026-12-07T10:00:00.000Z","name":"bi"}',
    createdAt: '2026-12-07T10:00:00.000Z',
  };

  it('names keys by their names, and other actors and targets readably', () => {
    expect(describeActor(entry)).toBe('key “all”');
    expect(describeActor({ actor: 'slack:U123', actorName: null })).toBe('Slack U123');
    expect(describeActor({ actor: 'system:keys-cli', actorName: null })).toBe('system (keys-cli)');
    expect(describeTarget(entry)).toBe('API key “bi”');
    expect(describeTarget({ targetType: 'Correction', targetId: 'abcdef12-0000', targetName: null })).toBe(
      'Correction abcdef12',
    );
    expect(describeTarget({ targetType: 'Tenant', targetId: null, targetName: null })).toBe('Tenant');
  });

  it('lists changed fields before → after, times in the viewer’s zone, and survives bad JSON', () => {
    expect(describeChange(entry.before, entry.after, { timeZone: 'Asia/Tokyo' })).toEqual([
      'revokedAt: null → 7 Dec 2026, 19:00 GMT+9',
      'name: bi',
    ]);
    expect(describeChange(null, '{"scopes":["analytics:view"]}')).toEqual(['scopes: ["analytics:view"]']);
    expect(describeChange('not json', null)).toEqual([]);
    expect(describeChange(null, JSON.stringify({ long: 'x'.repeat(200) }))[0]!.length).toBeLessThan(90);
  });

  it('describes a row as a sentence with the time in the given zone', () => {
    expect(describeAuditEntry(entry, { timeZone: 'Asia/Tokyo' })).toMatch(
      /^7 Dec 2026, 19:00 GMT\+9: key “all” did apikey.revoke on API key “bi”$/,
    );
  });
});
