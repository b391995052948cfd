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

const PERSON_EN = '(?:an? )?(?:real |live |actual )?(?:agent|human|person|representative|rep|operator|somebody|someone|member of (?:staff|your team)|staff member|support agent|customer service)';

const PATTERNS: Array<{ language: HandoffLanguage; pattern: RegExp }> = [
  { language: 'en', pattern: new RegExp(`\\b(?:talk|speak|chat) (?:to|with) ${PERSON_EN}\\b`) },
  { language: 'en', pattern: new RegExp(`\\b(?:connect|transfer|put) me (?:to|with|through to) ${PERSON_EN}\\b`) },
  { language: 'en', pattern: new RegExp(`\\b(?:i (?:want|need|would like)|can i (?:have|get)|give me|get me) ${PERSON_EN}\\b`) },
  { language: 'en', pattern: /\b(?:human|agent|person|operator) please\b/ },
  { language: 'en', pattern: /\b(?:real|live|actual) (?:person|human|agent)\b/ },
  { language: 'en', pattern: /\bhuman (?:agent|being|support)\b/ },
  { language: 'en', pattern: /^(?:human|agent|operator|representative)$/ },
  { language: 'es', pattern: /\b(?:hablar|comunicarme|hablarlo) con (?:un |una |el |la )?(?:agente|persona|humano|asesor|asesora|operador|operadora|representante)\b/ },
  { language: 'es', pattern: /\b(?:persona real|agente humano|un humano por favor)\b/ },
  { language: 'fr', pattern: /\b(?:parler|discuter) (?:a|avec) (?:un |une |le |la )?(?:agent|conseiller|conseillere|humain|personne|operateur|operatrice)\b/ },
  { language: 'fr', pattern: /\b(?:vraie personne|etre humain|un humain svp|un humain s il vous plait)\b/ },
  { language: 'de', pattern: /\bmit (?:einem |einer )?(?:menschen|mitarbeiter|mitarbeiterin|berater|beraterin|person|agenten)\b.{0,20}\b(?:sprechen|reden|verbinden)\b/ },
  { language: 'de', pattern: /\b(?:echte person|echten menschen|echter mensch)\b/ },
  { language: 'pt', pattern: /\b(?:falar) com (?:um |uma |o |a )?(?:atendente|humano|pessoa|agente|operador|operadora)\b/ },
  { language: 'pt', pattern: /\b(?:pessoa real|atendente humano)\b/ },
  { language: 'it', pattern: /\bparlare con (?:un |una |l )?(?:operatore|operatrice|persona|umano|agente|consulente)\b/ },
  { language: 'it', pattern: /\bpersona (?:reale|vera)\b/ },
  { language: 'nl', pattern: /\b(?:spreken|praten) met (?:een )?(?:medewerker|mens|persoon)\b/ },
  { language: 'nl', pattern: /\bmet een (?:medewerker|mens|echt persoon) (?:spreken|praten)\b/ },
  { language: 'nl', pattern: /\becht persoon\b/ },
];

// Asking whether the bot is human is curiosity, not a request to talk to one.
const QUESTIONS_ABOUT_THE_BOT = /\b(?:are you|is this|am i (?:talking|speaking|chatting) (?:to|with)) (?:a |an )?(?:real |actual |live )?(?:person|human|bot|robot|ai|machine)\b/;

// Words that, within a few words before the phrase, turn it into "not a request".
const NEGATION = /\b(?:dont|do not|doesnt|no need to|not|never|without|no quiero|pas besoin|ne veux pas|nicht|kein|nao quero|non voglio|geen)\b(?:\s+\S+){0,3}\s*$/;

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
    if (NEGATION.test(normalised.slice(0, match.index))) continue;
    return { phrase: match[0], language };
  }
  return null;
}

const NOTICES: Record<HandoffLanguage, string> = {
  en: "Of course. I'm passing you to a member of our team; a person will answer you here shortly.",
  es: 'Por supuesto. Le paso con una persona de nuestro equipo, que le responderá aquí en breve.',
  fr: "Bien sûr. Je vous passe un membre de notre équipe ; une personne vous répondra ici très bientôt.",
  de: 'Gerne. Ich leite Sie an unser Team weiter; ein Mitarbeiter antwortet Ihnen hier in Kürze.',
  pt: 'Claro. Vou passar você para alguém da nossa equipe; uma pessoa responderá aqui em breve.',
  it: 'Certo. La passo a un membro del nostro team; una persona le risponderà qui a breve.',
  nl: 'Natuurlijk. Ik verbind u door met een medewerker; iemand antwoordt u hier zo snel mogelijk.',
};

/** What the customer is told when a person takes over, in the language of their request. */
export function handoffNotice(language: HandoffLanguage = 'en'): string {
  return NOTICES[language];
}

/** The reply to a photo, voice note, location or anything else the bot cannot read. */
export const NON_TEXT_NOTICE = 'Sorry, I can only read text messages for now. Could you type your question?';
