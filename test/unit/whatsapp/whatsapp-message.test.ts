import {
  addressKey,
  feedbackPreferenceCommand,
  isStatusProgress,
  mapTwilioStatus,
  mentionsCompletedAction,
  parseFeedbackButton,
  parseInboundWebhook,
  parseStatusCallback,
  shouldPromptFeedback,
  splitReply,
  typedVote,
  withinSessionWindow,
} from '../../../channels/whatsapp/whatsapp-message';

// Shaped like Twilio's WhatsApp webhooks (field names and values as Twilio sends them).
const base = {
  SmsMessageSid: 'SM11111111111111111111111111111111',
  MessageSid: 'SM11111111111111111111111111111111',
  AccountSid: 'AC00000000000000000000000000000001',
  From: 'whatsapp:+447700900123',
  To: 'whatsapp:+14155238886',
  ProfileName: 'Ada',
  WaId: '447700900123',
  NumSegments: '1',
  SmsStatus: 'received',
  ApiVersion: '2010-04-01',
};
const interactionId = '3f1c2a9e-8b7d-4c6e-9f00-123456789abc';

describe('parseInboundWebhook', () => {
  it('maps a text message', () => {
    const result = parseInboundWebhook({ ...base, Body: 'Where is my order?', NumMedia: '0', MessageType: 'text' });
    expect(result).toMatchObject({
      ok: true,
      value: {
        kind: 'text',
        text: 'Where is my order?',
        from: 'whatsapp:+447700900123',
        profileName: 'Ada',
        button: null,
      },
    });
  });

  it('keeps a business-scoped From verbatim', () => {
    const result = parseInboundWebhook({ ...base, From: 'whatsapp:BSUID.7f3a9c', Body: 'hi' });
    expect(result.ok && result.value.from).toBe('whatsapp:BSUID.7f3a9c');
  });

  it('maps a quick-reply tap to a vote on the interaction in the button id', () => {
    const result = parseInboundWebhook({
      ...base,
      Body: '👎',
      ButtonText: '👎',
      ButtonPayload: `fb:${interactionId}:down`,
      OriginalRepliedMessageSid: 'SMaaaa',
      MessageType: 'button',
    });
    expect(result).toMatchObject({
      ok: true,
      value: { kind: 'button', button: { vote: 'down', interactionId, repliedToSid: 'SMaaaa' } },
    });
  });

  it('maps media and location to non-text kinds with their details kept', () => {
    const media = parseInboundWebhook({
      ...base,
      Body: '',
      NumMedia: '1',
      MediaUrl0: 'https://api.twilio.com/media/ME1',
      MediaContentType0: 'image/jpeg',
      MessageType: 'image',
    });
    expect(media).toMatchObject({
      ok: true,
      value: {
        kind: 'media',
        text: '[image/jpeg]',
        payload: { media: [{ url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' }] },
      },
    });
    const location = parseInboundWebhook({
      ...base,
      Body: '',
      Latitude: '51.5',
      Longitude: '-0.12',
      Address: 'London',
      MessageType: 'location',
    });
    expect(location).toMatchObject({ ok: true, value: { kind: 'location' } });
    const sticker = parseInboundWebhook({ ...base, Body: '', MessageType: 'sticker' });
    expect(sticker).toMatchObject({ ok: true, value: { kind: 'other', text: '[sticker]' } });
  });

  it('rejects payloads missing what Twilio always sends, saying what is missing', () => {
    expect(parseInboundWebhook({ ...base, MessageSid: undefined, SmsMessageSid: undefined })).toEqual({
      ok: false,
      reason: expect.stringContaining('MessageSid'),
    });
    expect(parseInboundWebhook({ ...base, From: '' })).toEqual({ ok: false, reason: 'From is missing' });
    expect(parseInboundWebhook({ ...base, Body: ['a', 'b'] })).toEqual({
      ok: false,
      reason: 'Field Body must appear once',
    });
  });
});

describe('votes and preferences', () => {
  it('reads our button ids and typed thumbs in any skin tone', () => {
    expect(parseFeedbackButton(`fb:${interactionId}:up`, '👍')).toEqual({ vote: 'up', interactionId });
    expect(parseFeedbackButton('something-else', '👎')).toEqual({ vote: 'down', interactionId: null });
    expect(parseFeedbackButton('yes', 'Yes')).toBeNull();
    expect(typedVote(' 👍🏽 ')).toBe('up');
    expect(typedVote('👍 thanks')).toBeNull();
  });

  it('recognises stop and start feedback', () => {
    expect(feedbackPreferenceCommand('Stop feedback!')).toBe('stop');
    expect(feedbackPreferenceCommand('start feedback')).toBe('start');
    expect(feedbackPreferenceCommand('please stop feedback emails')).toBeNull();
  });
});

describe('shouldPromptFeedback', () => {
  const ids = Array.from(
    { length: 3000 },
    (_unused, index) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  );
  it('always and never mean what they say', () => {
    expect(ids.every((id) => shouldPromptFeedback('always', 3, id))).toBe(true);
    expect(ids.some((id) => shouldPromptFeedback('never', 3, id))).toBe(false);
  });
  it('sometimes prompts a deterministic fraction near one in `every`', () => {
    const chosen = ids.filter((id) => shouldPromptFeedback('sometimes', 3, id));
    expect(chosen.length / ids.length).toBeGreaterThan(0.29);
    expect(chosen.length / ids.length).toBeLessThan(0.38);
    expect(ids.filter((id) => shouldPromptFeedback('sometimes', 3, id))).toEqual(chosen);
    const fifth = ids.filter((id) => shouldPromptFeedback('sometimes', 5, id)).length / ids.length;
    expect(fifth).toBeGreaterThan(0.16);
    expect(fifth).toBeLessThan(0.24);
  });
});

describe('splitReply', () => {
  it('keeps short replies whole', () => {
    expect(splitReply('Hello there.')).toEqual(['Hello there.']);
  });
  it('splits long replies at sentence boundaries within the limit, losing nothing', () => {
    const sentence = 'Our returns window is thirty days from delivery. ';
    const text = sentence.repeat(60).trim();
    const parts = splitReply(text, 1024);
    expect(parts.length).toBe(3);
    for (const part of parts) {
      expect([...part].length).toBeLessThanOrEqual(1024);
      expect(part.endsWith('.')).toBe(true);
    }
    expect(parts.join(' ')).toBe(text);
  });
  it('cuts a text without spaces by code points, never splitting an emoji', () => {
    const parts = splitReply('😀'.repeat(1500), 1024);
    expect(parts.map((part) => [...part].length)).toEqual([1024, 476]);
  });
});

describe('session window and statuses', () => {
  it('allows free-form messages only within the window', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(withinSessionWindow(new Date('2026-11-23T12:30:00Z'), now, 24)).toBe(true);
    expect(withinSessionWindow(new Date('2026-11-23T11:59:00Z'), now, 24)).toBe(false);
    expect(withinSessionWindow(null, now, 24)).toBe(false);
  });
  it('maps Twilio statuses and never moves backwards', () => {
    expect(mapTwilioStatus('accepted')).toBe('queued');
    expect(mapTwilioStatus('read')).toBe('read');
    expect(mapTwilioStatus('weird')).toBeNull();
    expect(isStatusProgress('read', 'delivered')).toBe(false);
    expect(isStatusProgress('sent', 'delivered')).toBe(true);
    expect(isStatusProgress('delivered', 'failed')).toBe(true);
  });
  it('parses a status callback', () => {
    expect(
      parseStatusCallback({ MessageSid: 'SM1', AccountSid: 'AC1', MessageStatus: 'undelivered', ErrorCode: '63016' }),
    ).toEqual({
      ok: true,
      value: {
        messageSid: 'SM1',
        accountSid: 'AC1',
        status: 'undelivered',
        rawStatus: 'undelivered',
        errorCode: '63016',
        errorMessage: null,
      },
    });
    expect(parseStatusCallback({ MessageSid: 'SM1', AccountSid: 'AC1' })).toEqual({
      ok: false,
      reason: 'MessageStatus is missing',
    });
  });
});

describe('helpers', () => {
  it('matches completed-action keywords as whole words', () => {
    expect(mentionsCompletedAction('Great, I just paid!', ['paid'])).toBe(true);
    expect(mentionsCompletedAction('unpaid invoice', ['paid'])).toBe(false);
    expect(mentionsCompletedAction('thank you so much', ['thank you'])).toBe(true);
  });
  it('compares numbers with or without the whatsapp: prefix and formatting', () => {
    expect(addressKey('whatsapp:+1 (415) 523-8886')).toBe(addressKey('+14155238886'));
    expect(addressKey('whatsapp:BSUID.X')).toBe('bsuid.x');
  });
});

describe('parseInboundWebhook bounds (per-field decisions)', () => {
  const text = { ...base, Body: 'Hello', NumMedia: '0' };
  it.each([
    ['MessageSid too long', { MessageSid: 'SM' + 'a'.repeat(63) }, /MessageSid is longer than 64/],
    ['MessageSid with NUL', { MessageSid: 'SM1\u00002' }, /MessageSid must be letters and digits/],
    ['AccountSid too long', { AccountSid: 'AC' + '1'.repeat(100) }, /AccountSid is longer/],
    ['From too long', { From: 'whatsapp:+' + '1'.repeat(250) }, /From is longer than 255/],
    ['From with NUL', { From: 'whatsapp:+44\u00007' }, /From contains control characters/],
    ['To with a lone surrogate', { To: 'whatsapp:+1\ud800' }, /To contains control characters or invalid Unicode/],
    ['NumMedia huge', { NumMedia: '10000000' }, /NumMedia must be a whole number from 0 to 10/],
    ['NumMedia negative', { NumMedia: '-1' }, /NumMedia/],
    ['NumMedia not a number', { NumMedia: '1e9' }, /NumMedia/],
    ['NumMedia 11', { NumMedia: '11' }, /NumMedia/],
  ])('refuses %s with a reason naming the field', (_name, overrides, reason) => {
    const result = parseInboundWebhook({ ...text, ...overrides });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('cleans what a customer controls: NUL stripped, lone surrogates replaced, long names cut to the column', () => {
    const result = parseInboundWebhook({
      ...text,
      Body: 'hi\u0000 there \ud83d',
      ProfileName: `A\u0000da${'x'.repeat(300)}`,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.text).toBe('hi there \ufffd');
    expect(result.value.profileName).toHaveLength(255);
    expect(result.value.profileName!.startsWith('Adax')).toBe(true);
  });

  it('accepts up to 10 media items and bounds their fields', () => {
    const media: Record<string, string> = { NumMedia: '10' };
    for (let index = 0; index < 10; index++) {
      media[`MediaUrl${index}`] = `https://api.twilio.com/m/${index}`;
      media[`MediaContentType${index}`] = index === 0 ? 'x'.repeat(1000) : 'image/jpeg';
    }
    const result = parseInboundWebhook({ ...text, Body: '', ...media });
    expect(result.ok && (result.value.payload.media as unknown[]).length).toBe(10);
    if (result.ok) expect((result.value.payload.media as { contentType: string }[])[0]!.contentType).toHaveLength(255);
  });
});
