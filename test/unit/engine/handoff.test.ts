import { detectHandoffRequest, handoffNotice } from '../../../src/engine/handoff';

describe('detectHandoffRequest', () => {
  it.each([
    ['Can I talk to an agent?', 'en'],
    ['human please', 'en'],
    ['HUMAN PLEASE!!', 'en'],
    ['I want a real person', 'en'],
    ['Please connect me with a live agent', 'en'],
    ["I'd like to speak with someone from customer service", 'en'],
    ['I need a human', 'en'],
    ['agent', 'en'],
    ['¿Puedo hablar con una persona?', 'es'],
    ['quiero hablar con un agente', 'es'],
    ['Je voudrais parler à un conseiller', 'fr'],
    ['Ich möchte mit einem Mitarbeiter sprechen', 'de'],
    ['quero falar com um atendente', 'pt'],
    ['posso parlare con un operatore?', 'it'],
    ['Ik wil met een medewerker spreken', 'nl'],
  ])('recognises %j', (text, language) => {
    const request = detectHandoffRequest(text);
    expect(request).not.toBeNull();
    expect(request?.language).toBe(language);
  });

  it.each([
    'Where is my order?',
    'My agent code is 1234',
    "I don't need to talk to an agent, just tell me the opening hours",
    'Are you a real person?',
    'is this a bot',
    'The human resources team sent me',
    '',
    '   ',
  ])('ignores %j', (text) => {
    expect(detectHandoffRequest(text)).toBeNull();
  });

  it('reports the phrase for the handoff reason', () => {
    expect(detectHandoffRequest('ok, talk to a human then')?.phrase).toBe('talk to a human');
  });

  it('tells the customer in the language of their request', () => {
    expect(handoffNotice('es')).toMatch(/persona/);
    expect(handoffNotice()).toMatch(/a person will answer/);
  });
});
