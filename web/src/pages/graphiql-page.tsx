import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import type { Fetcher } from '@graphiql/toolkit';
import { useMemo } from 'react';
import { CONSOLE_HEADER } from '../api/client';

const DEFAULT_QUERY = `# The parley control plane. Ctrl-Enter runs the query.
{
  feedbackAnalytics(range: {from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z"}, groupBy: MONTH) {
    totals { botReplies totalFeedback helpfulRate feedbackCollectionRate }
  }
}
`;

/**
 * The real GraphiQL, bundled (no CDN). Signed in, requests carry the session
 * cookie and the console header; otherwise paste a key into the Headers tab:
 * {"Authorization": "Bearer pk_…"} (headers are not persisted).
 */
export default function GraphiqlPage({ signedIn }: { signedIn: boolean }) {
  const fetcher = useMemo<Fetcher>(
    () => async (parameters, options) => {
      const response = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/json',
          ...(signedIn ? { [CONSOLE_HEADER]: '1' } : {}),
          ...(options?.headers ?? {}),
        },
        body: JSON.stringify(parameters),
      });
      return response.json();
    },
    [signedIn],
  );
  // Alerts link to /graphql#query=…: the redirect keeps the fragment.
  const shared = new URLSearchParams(window.location.hash.slice(1)).get('query');
  return (
    <div className="graphiql-host">
      <GraphiQL
        fetcher={fetcher}
        defaultQuery={DEFAULT_QUERY}
        query={shared ?? undefined}
        shouldPersistHeaders={false}
        defaultHeaders={signedIn ? undefined : '{\n  "Authorization": "Bearer pk_…"\n}'}
      />
    </div>
  );
}
