import {
  parseList,
  parseOptionalNumber,
  placeholderKey,
  profileFieldChanges,
  profileValueChanges,
  settingsFieldErrors,
} from '../../../web/src/lib/channel-settings';

describe('lists typed as text', () => {
  it('splits numbers and ids on commas, semicolons, spaces and lines; drops blanks and repeats', () => {
    expect(parseList('+14155238886\n whatsapp:+14155550123, +14155238886;;')).toEqual([
      '+14155238886',
      'whatsapp:+14155550123',
    ]);
    expect(parseList('   ')).toEqual([]);
  });

  it('keeps spaces inside keywords when asked to', () => {
    expect(parseList('paid, order placed,\nbooked', { spaces: false })).toEqual(['paid', 'order placed', 'booked']);
  });

  it('reads a blank number as the default and refuses text', () => {
    expect(parseOptionalNumber(' ')).toBeNull();
    expect(parseOptionalNumber('0')).toBe(0);
    expect(parseOptionalNumber('0.25')).toBe(0.25);
    expect(parseOptionalNumber('ten')).toBe('invalid');
  });

  it('matches placeholder names without case or extra spacing', () => {
    expect(placeholderKey('  Order   History ')).toBe(placeholderKey('order history'));
    expect(placeholderKey('Order History')).not.toBe(placeholderKey('Order Status'));
  });
});

describe('server refusals next to their fields', () => {
  it('places WhatsApp messages under numbers, SIDs or the token', () => {
    expect(
      settingsFieldErrors('whatsapp', 'WhatsApp settings: accountSid must be AC followed by 32 hex characters'),
    ).toEqual({ fields: { accountSid: 'Must be AC followed by 32 hex characters' }, general: null });
    expect(
      settingsFieldErrors('whatsapp', 'WhatsApp settings: numbers.1 Too small: expected string to have >=3 characters')
        .fields,
    ).toEqual({ numbers: 'Too small: expected string to have >=3 characters' });
    expect(
      settingsFieldErrors('whatsapp', 'WhatsApp settings: authToken Too small: expected string to have >=16 characters')
        .fields,
    ).toHaveProperty('authToken');
    const taken = 'That WhatsApp number or Messaging Service is already bound to tenant other shop';
    expect(settingsFieldErrors('whatsapp', taken)).toEqual({ fields: { numbers: taken }, general: null });
    expect(settingsFieldErrors('whatsapp', taken, { sentNumbers: false }).fields).toEqual({
      messagingServiceSid: taken,
    });
    expect(
      settingsFieldErrors(
        'whatsapp',
        'WhatsApp settings need at least one number or a messagingServiceSid to receive on',
      ).fields,
    ).toHaveProperty('numbers');
    expect(settingsFieldErrors('whatsapp', 'Tenant not found')).toEqual({ fields: {}, general: 'Tenant not found' });
  });

  it('places Slack and profile messages under the field they name', () => {
    expect(
      settingsFieldErrors('slack', 'settings.channels.slack.approvers.0: must be Slack user ids such as U0123ABCD'),
    ).toEqual({ fields: { approvers: 'Must be Slack user ids such as U0123ABCD' }, general: null });
    expect(settingsFieldErrors('slack', 'botToken: must be a Slack bot token (xoxb-…)').fields).toEqual({
      botToken: 'Must be a Slack bot token (xoxb-…)',
    });
    expect(settingsFieldErrors('profile', 'profile.supportEmail: must be an email address').fields).toEqual({
      supportEmail: 'Must be an email address',
    });
    expect(settingsFieldErrors('profile', 'profile.values.Order History: Too big').fields).toEqual({
      values: 'Too big',
    });
    expect(settingsFieldErrors('profile', 'something else went wrong').general).toBe('something else went wrong');
  });
});

describe('what a profile save sends', () => {
  const stored = {
    companyName: 'Example Shop',
    supportPhone: null,
    supportEmail: 'help@shop.example',
    website: null,
    liveChatUrl: null,
    openingHours: null,
  };

  it('sends only changed fields; an emptied field removes its value', () => {
    expect(
      profileFieldChanges(stored, {
        companyName: ' Example Shop ',
        supportPhone: '+44 20 7946 0000',
        supportEmail: '',
        website: '',
      }),
    ).toEqual({ supportPhone: '+44 20 7946 0000', supportEmail: null });
  });

  it('sends new and changed values, removes emptied and dropped names, refuses nameless or repeated rows', () => {
    const values = [
      { name: 'Order History', value: 'Account → Orders' },
      { name: 'Returns Page', value: 'shop.example/returns' },
      { name: 'Loyalty', value: 'Club' },
    ];
    expect(
      profileValueChanges(values, [
        { name: 'Order History', value: 'Account → Orders' },
        { name: 'Returns Page', value: '' },
        { name: ' Gift Cards ', value: ' Account → Gift cards ' },
      ]),
    ).toEqual({
      changes: [
        { name: 'Returns Page', value: null },
        { name: 'Gift Cards', value: 'Account → Gift cards' },
        { name: 'Loyalty', value: null },
      ],
      errors: {},
    });
    const refused = profileValueChanges(values, [
      ...values,
      { name: '', value: 'orphan' },
      { name: 'order  history', value: 'twice' },
      { name: '', value: '' },
    ]);
    expect(refused.errors).toEqual({ 3: 'Give the placeholder a name', 4: '“order  history” is already in the list' });
    expect(profileValueChanges(values, values)).toEqual({ changes: [], errors: {} });
  });
});
