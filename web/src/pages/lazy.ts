import { lazy } from 'react';

// GraphiQL is large (editor, docs): its own chunk, loaded only when opened.
export const GraphiqlPage = lazy(() => import('./graphiql-page'));
