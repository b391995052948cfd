import type { ComponentType } from 'react';
import { AlertsPage } from './alerts-page';
import { AccessPage } from './access-page';
import { ConversationsPage } from './conversations-page';
import { CorrectionsPage } from './corrections-page';
import { ExperimentsPage } from './experiments-page';
import { FeedbackPage } from './feedback-page';
import { HandoffsPage } from './handoffs-page';
import { KnowledgePage } from './knowledge-page';
import { LearningPage } from './learning-page';
import { OverviewPage } from './overview-page';
import { ProvidersPage } from './providers-page';
import { SettingsPage } from './settings-page';
import { TrainingPage } from './training-page';

export { WaitingPage } from './waiting-page';

/** What a page component gets: the rest of the path after its own (an id) and the query string. */
export interface PageProps {
  rest: string;
  search: URLSearchParams;
}

/** Page components by the ids of lib/pages.ts (GraphiQL is loaded lazily in app.tsx). */
export const PAGE_COMPONENTS: Record<string, ComponentType<PageProps>> = {
  overview: OverviewPage,
  conversations: ConversationsPage,
  feedback: FeedbackPage,
  corrections: CorrectionsPage,
  providers: ProvidersPage,
  settings: SettingsPage,
  handoffs: HandoffsPage,
  knowledge: KnowledgePage,
  learning: LearningPage,
  experiments: ExperimentsPage,
  alerts: AlertsPage,
  training: TrainingPage,
  access: AccessPage,
};
