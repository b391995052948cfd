/**
 * Recognising a customer's request for a human. Phrases are matched on a
 * normalised text (lower case, accents and punctuation removed), so "¿Puedo
 * hablar con una persona?" and "HUMAN PLEASE!!" match as well as the plain
 * forms. A negation just before the phrase ("I don't need to talk to an
 * agent") is not a request.
 */
export type HandoffLanguage = 'en' | 'es' | 'fr' | 'de' | 'pt' | 'it' | 'nl';

export interface HandoffRequest {
  /** The phrase as it matched in the normalised text, for the handoff reason. */
  phrase: string;
  language: HandoffLanguage;
}

const PERSON_EN =
  '(?:(?:an?|the|your|one of your|some|any) )?(?:real |live |actual |human |customer service |customer support |support )?' +
  '(?:agent|human being|human|person|people|representative|rep|operator|somebody|someone|anybody|anyone|member of (?:staff|your team|the team)|' +
  'staff member|staff|manager|supervisor|assistant|customer service|one of your team|someone real)s?';
const ES_PERSON =
  '(?:(?:un|una|el|la) )?(?:agente|persona|humano|asesor|asesora|operador|operadora|representante|alguien|ejecutivo|ejecutiva|supervisor)';
const FR_PERSON =
  '(?:(?:un|une|le|la|l) )?(?:vrai |vraie )?(?:agent|conseiller|conseillere|humain|personne|operateur|operatrice|quelquun|etre humain|interlocuteur|responsable)';
const DE_PERSON =
  '(?:(?:einem|einer|einen|eine|ein|den|die) )?(?:echten |echte |echter |richtigen |menschlichen )?(?:menschen|mensch|mitarbeiter|mitarbeiterin|berater|beraterin|person|agenten|jemandem|jemanden|kundenberater|ansprechpartner)';
const PT_PERSON = '(?:(?:um|uma|o|a) )?(?:atendente|humano|pessoa|agente|operador|operadora|alguem|representante)';
const IT_PERSON =
  '(?:(?:un|una|l|lo|la) )?(?:operatore|operatrice|persona|umano|agente|consulente|qualcuno|assistente)';
const NL_PERSON = '(?:(?:een|de) )?(?:medewerker|mens|persoon|echt persoon|iemand)';
const PLEASE =
  '(?: please| pls| plz| now| asap| por favor| svp| sil vous plait| stp| bitte| per favore| alstublieft| alsjeblieft| graag)?';

const PATTERNS: Array<{ language: HandoffLanguage; pattern: RegExp }> = [
  {
    language: 'en',
    pattern: new RegExp(`\\b(?:talk|talking|speak|speaking|chat|chatting)(?: (?:to|with))? ${PERSON_EN}\\b`),
  },
  {
    language: 'en',
    pattern: new RegExp(
      `\\b(?:connect|transfer|put|pass|get|forward|escalate) (?:me|this|it|my (?:case|call|chat|request))(?: in (?:touch|contact))?(?: (?:through|over|back))? (?:to|with) ${PERSON_EN}\\b`,
    ),
  },
  {
    language: 'en',
    pattern: new RegExp(
      `(?:\\b(?:i|id) (?:want|need|would like|like|would rather|rather)|^(?:want|need)|(?:^|please |pls |can you |could you )get|can i (?:have|get)|could i (?:have|get)|give me|get me|help from) ${PERSON_EN}\\b`,
    ),
  },
  { language: 'en', pattern: new RegExp(`\\b(?:contact|reach|call|ring) ${PERSON_EN}\\b`) },
  { language: 'en', pattern: /\b(?:someone|somebody|an agent|a person|a human) (?:to )?call me\b|\bcall ?back from\b/ },
  { language: 'en', pattern: new RegExp(`\\b(?:is|are) there ${PERSON_EN} (?:i|we) (?:can|could)\\b`) },
  { language: 'en', pattern: /\b(?:human|live) (?:support|help|assistance)\b/ },
  {
    language: 'en',
    pattern: new RegExp(
      `^(?:(?:an?|the) )?(?:real |live |actual )?(?:human|agent|person|representative|operator|customer service|customer support|human being)${PLEASE}$`,
    ),
  },
  {
    language: 'es',
    pattern: new RegExp(
      `\\b(?:hablar|hablarlo|comunicarme|comunicarse|contactar|contactarme|charlar)(?: (?:con|a))? ${ES_PERSON}\\b`,
    ),
  },
  {
    language: 'es',
    pattern: new RegExp(
      `\\b(?:pasame|paseme|pasenme|comunicame|comuniqueme|me comunica|me comunicas|me pasa|me pasas|transfiereme|transfierame|me transfiere) (?:con |a )?${ES_PERSON}\\b`,
    ),
  },
  {
    language: 'es',
    pattern:
      /\b(?:quiero|necesito|deseo|me gustaria) (?:un|una) (?:agente|persona|humano|asesor|operador|representante)\b/,
  },
  {
    language: 'es',
    pattern: /\b(?:persona real|agente humano|atencion humana)\b|\bhay alguien con quien (?:pueda|puedo) hablar\b/,
  },
  { language: 'es', pattern: new RegExp(`^(?:un |una )?(?:agente|humano|asesor|operador)${PLEASE}$`) },
  { language: 'fr', pattern: new RegExp(`\\b(?:parler|discuter|echanger)(?: (?:a|avec|au))? ${FR_PERSON}\\b`) },
  {
    language: 'fr',
    pattern: new RegExp(
      `\\b(?:passez moi|passe moi|me passer|mettez moi en relation avec|mets moi en relation avec|me mettre en relation avec|transferez moi (?:a|vers)|joindre|contacter) ${FR_PERSON}\\b`,
    ),
  },
  {
    language: 'fr',
    pattern:
      /\b(?:jai besoin dune?|je veux une?|je voudrais une?|je souhaite une?) (?:vrai |vraie )?(?:agent|conseiller|conseillere|humain|personne|operateur)\b/,
  },
  { language: 'fr', pattern: /\b(?:vraie personne|etre humain|agent humain)\b/ },
  { language: 'fr', pattern: new RegExp(`^(?:un |une )?(?:conseiller|conseillere|humain|agent|operateur)${PLEASE}$`) },
  {
    language: 'de',
    pattern: new RegExp(`\\bmit ${DE_PERSON}\\b.{0,30}\\b(?:sprechen|reden|verbinden|telefonieren|chatten)\\b`),
  },
  { language: 'de', pattern: new RegExp(`\\b(?:verbinden sie mich|verbinde mich|verbindet mich) mit ${DE_PERSON}\\b`) },
  {
    language: 'de',
    pattern: /\b(?:(?:einen|eine) (?:echten |richtigen )?(?:mitarbeiter|menschen|berater|person)|jemanden) sprechen\b/,
  },
  {
    language: 'de',
    pattern:
      /\b(?:ich brauche|ich will|ich mochte|ich hatte gerne) (?:einen|eine) (?:echten |richtigen )?(?:menschen|mitarbeiter|berater|person)\b/,
  },
  {
    language: 'de',
    pattern: /\b(?:echte person|echten menschen|echter mensch|menschlicher mitarbeiter|menschlichen mitarbeiter)\b/,
  },
  { language: 'de', pattern: new RegExp(`^(?:mitarbeiter|mensch|berater)${PLEASE}$`) },
  { language: 'pt', pattern: new RegExp(`\\b(?:falar|conversar)(?: com)? ${PT_PERSON}\\b`) },
  {
    language: 'pt',
    pattern: new RegExp(
      `\\b(?:me passa|me passe|me transfere|me transfira|transfere me|passa me)(?: para| pra)? ${PT_PERSON}\\b`,
    ),
  },
  { language: 'pt', pattern: /\b(?:quero|preciso de|gostaria de) (?:um|uma) (?:atendente|humano|agente)\b/ },
  {
    language: 'pt',
    pattern:
      /\b(?:pessoa real|atendente humano|atendimento humano)\b|\btem alguem com quem (?:eu )?(?:possa|posso) falar\b/,
  },
  { language: 'pt', pattern: new RegExp(`^(?:um |uma )?(?:atendente|humano)${PLEASE}$`) },
  { language: 'it', pattern: new RegExp(`\\b(?:parlare|parlarne|chattare)(?: con)? ${IT_PERSON}\\b`) },
  {
    language: 'it',
    pattern: new RegExp(
      `\\b(?:mi passi|mi passa|passami|mi metta in contatto con|mettimi in contatto con|mi trasferisca a|contattare) ${IT_PERSON}\\b`,
    ),
  },
  { language: 'it', pattern: /\b(?:ho bisogno di|voglio|vorrei) (?:un|una) (?:operatore|persona|umano|agente)\b/ },
  {
    language: 'it',
    pattern: /\b(?:persona (?:reale|vera)|operatore umano)\b|\bce qualcuno con cui (?:posso|possa) parlare\b/,
  },
  { language: 'it', pattern: new RegExp(`^(?:un )?operatore${PLEASE}$`) },
  { language: 'nl', pattern: new RegExp(`\\b(?:spreken|praten) met ${NL_PERSON}\\b`) },
  { language: 'nl', pattern: new RegExp(`\\bmet ${NL_PERSON} (?:spreken|praten)\\b`) },
  { language: 'nl', pattern: /\b(?:(?:een|de) (?:medewerker|mens|echt persoon)|iemand) spreken\b/ },
  { language: 'nl', pattern: /\bverbind (?:me|mij) door met (?:een )?(?:medewerker|mens|persoon)\b/ },
  { language: 'nl', pattern: /\becht persoon\b/ },
  { language: 'nl', pattern: new RegExp(`^(?:een )?medewerker${PLEASE}$`) },
];

// Asking whether the bot is human is curiosity, not a request to talk to one.
const QUESTIONS_ABOUT_THE_BOT = new RegExp(
  [
    '\\b(?:are you|is this|am i (?:talking|speaking|chatting) (?:to|with)) (?:a |an )?(?:real |actual |live )?(?:person|human|bot|robot|ai|machine)\\b',
    '\\b(?:eres|es usted|estoy hablando con) (?:un |una )?(?:persona|humano|bot|robot)\\b',
    '\\b(?:vous etes|tu es|etes vous|es tu|je parle a|je parle avec) (?:un |une )?(?:vrai |vraie )?(?:humain|personne|robot|bot)\\b',
    '\\b(?:bist du|sind sie|spreche ich mit) (?:ein |eine |einem )?(?:echter |echte )?(?:mensch|menschen|person|bot|roboter)\\b',
    '\\b(?:voce e|vc e|e voce|estou falando com) (?:um |uma )?(?:pessoa|humano|robo|bot)\\b',
    '\\b(?:sei|lei e|sto parlando con) (?:un |una )?(?:persona|umano|bot|robot)\\b',
    '\\b(?:ben jij|bent u|ben je|praat ik met) (?:een )?(?:echt )?(?:persoon|mens|bot|robot)\\b',
  ].join('|'),
);

// Words that, within a few words before the phrase, turn it into "not a request".
const NEGATION =
  /\b(?:dont|do not|doesnt|no need to|not|never|without|no quiero|no necesito|pas besoin|ne veux pas|nicht|kein|keinen|nao quero|nao preciso|non voglio|non ho bisogno|geen)\b(?:\s+\S+){0,3}\s*$/;
// A contact that already happened ("I was speaking with an agent earlier") is not a request either.
const PAST = /\b(?:was|were|been|had|tried to|trying to)\s*$/;

export function normaliseForMatching(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The customer's request for a human in `text`, or null when there is none. */
export function detectHandoffRequest(text: string): HandoffRequest | null {
  const normalised = normaliseForMatching(text);
  if (!normalised || QUESTIONS_ABOUT_THE_BOT.test(normalised)) return null;
  for (const { language, pattern } of PATTERNS) {
    const match = pattern.exec(normalised);
    if (!match) continue;
    const before = normalised.slice(0, match.index);
    if (NEGATION.test(before) || PAST.test(before)) continue;
    return { phrase: match[0], language };
  }
  return null;
}

// A customer with a human who wants the bot back: short messages only, so a sentence that merely mentions the bot
// ("the bot gave me a wrong answer") does not end the human's conversation.
const BOT_REQUESTS: Array<{ language: HandoffLanguage; pattern: RegExp }> = [
  {
    language: 'en',
    pattern:
      /^(?:(?:i want |give me |can i have |can i get |i want to go |go |take me )?(?:the )?bot(?: again| back)?|back to (?:the )?bot|(?:talk|speak|chat) (?:to|with) (?:the )?bot(?: again)?|bot please|i want the bot back)$/,
  },
  { language: 'es', pattern: /^(?:volver al bot|quiero (?:volver al|el) bot|hablar con el bot|regresar al bot)$/ },
  { language: 'fr', pattern: /^(?:retour au bot|revenir au bot|je veux (?:revenir au|le) bot|parler au bot)$/ },
  {
    language: 'de',
    pattern: /^(?:zuruck zum bot|zum bot|ich will (?:zuruck )?zum bot|mit dem bot (?:sprechen|reden))$/,
  },
  { language: 'pt', pattern: /^(?:voltar (?:ao|para o|pro) bot|quero (?:voltar ao|o) bot|falar com o bot)$/ },
  { language: 'it', pattern: /^(?:torna(?:re)? al bot|voglio (?:tornare al|il) bot|parlare con il bot)$/ },
  { language: 'nl', pattern: /^(?:terug naar (?:de )?bot|ik wil (?:terug naar )?de bot|praten met de bot)$/ },
];

/** The language of a customer's request to have the bot back ("bot", "back to bot", "volver al bot"), or null. */
export function detectBotRequest(text: string): HandoffLanguage | null {
  const normalised = normaliseForMatching(text).replace(
    / (?:please|pls|por favor|svp|sil vous plait|bitte|per favore|alstublieft)$/,
    '',
  );
  return BOT_REQUESTS.find(({ pattern }) => pattern.test(normalised))?.language ?? null;
}

// A reply that tells the customer a person is coming: the conversation must then actually go to one.
const HUMAN_PROMISES = [
  /\b(?:connect|connecting|transfer|transferring|pass|passing|put|putting|forward|forwarding|escalate|escalating|hand|handing|route|routing) (?:you|your (?:case|request|conversation|chat|query))(?: over| through| on)? (?:to|with) (?:an? |one of our |our )?(?:live |human |real )?(?:agent|person|representative|colleague|team member|specialist|member of (?:our|the) team|human|support team|customer service)/,
  /\b(?:an? (?:live|human|real) (?:agent|person|representative)|a member of (?:our|the) team|one of our (?:agents|colleagues|representatives|team)|someone from (?:our|the) team) will (?:be with you|contact you|get back to you|reach out|answer|reply|take over|join)/,
  /\b(?:le paso con|le comunico con|te paso con|te comunico con) (?:un|una) (?:agente|asesor|persona)/,
  /\bje vous (?:mets en relation avec|passe) (?:un|une) (?:conseiller|agent|conseillere)/,
  /\bich (?:verbinde|leite) sie (?:mit|an) (?:einem|einen) (?:mitarbeiter|berater|kollegen)/,
];

/** The phrase by which a reply promises the customer a human, or null. */
export function promisesHuman(reply: string): string | null {
  const normalised = normaliseForMatching(reply);
  for (const pattern of HUMAN_PROMISES) {
    const match = pattern.exec(normalised);
    if (match) return match[0];
  }
  return null;
}

const NOTICES: Record<HandoffLanguage, string> = {
  en: "Of course. I'm passing you to a member of our team; a person will answer you here shortly.",
  es: 'Por supuesto. Le paso con una persona de nuestro equipo, que le responderá aquí en breve.',
  fr: 'Bien sûr. Je vous passe un membre de notre équipe ; une personne vous répondra ici très bientôt.',
  de: 'Gerne. Ich leite Sie an unser Team weiter; ein Mitarbeiter antwortet Ihnen hier in Kürze.',
  pt: 'Claro. Vou passar você para alguém da nossa equipe; uma pessoa responderá aqui em breve.',
  it: 'Certo. La passo a un membro del nostro team; una persona le risponderà qui a breve.',
  nl: 'Natuurlijk. Ik verbind u door met een medewerker; iemand antwoordt u hier zo snel mogelijk.',
};

/** What the customer is told when a person takes over, in the language of their request. */
export function handoffNotice(language: HandoffLanguage = 'en'): string {
  return NOTICES[language];
}

const BOT_BACK_NOTICES: Record<HandoffLanguage, string> = {
  en: 'You\'re back with our virtual assistant. How can I help? (Write "agent" any time to ask for a person again.)',
  es: 'Vuelve a hablar con nuestro asistente virtual. ¿En qué puedo ayudarle? (Escriba "agente" para volver a pedir una persona.)',
  fr: 'Vous êtes de nouveau avec notre assistant virtuel. Comment puis-je vous aider ? (Écrivez « conseiller » pour redemander une personne.)',
  de: 'Sie sind wieder bei unserem virtuellen Assistenten. Wie kann ich helfen? (Schreiben Sie „Mitarbeiter“, um wieder eine Person zu bekommen.)',
  pt: 'Você voltou ao nosso assistente virtual. Como posso ajudar? (Escreva "atendente" para pedir uma pessoa de novo.)',
  it: 'È di nuovo con il nostro assistente virtuale. Come posso aiutarla? (Scriva "operatore" per chiedere di nuovo una persona.)',
  nl: 'U bent weer bij onze virtuele assistent. Waarmee kan ik helpen? (Schrijf "medewerker" om weer een persoon te vragen.)',
};

/** What the customer is told when the conversation comes back to the bot (their request, an agent, or the idle release). */
export function botBackNotice(language: HandoffLanguage = 'en'): string {
  return BOT_BACK_NOTICES[language];
}

/** The reply to a photo, voice note, location or anything else the bot cannot read. */
export const NON_TEXT_NOTICE = 'Sorry, I can only read text messages for now. Could you type your question?';
