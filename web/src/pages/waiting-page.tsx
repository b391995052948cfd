import type { PageDefinition } from '../lib/pages';

/** A page whose API is still being built: says what it will show and what it waits for. */
export function WaitingPage({ page }: { page: PageDefinition }) {
  return (
    <>
      <h1>{page.title}</h1>
      <div className="state state-empty">
        <strong>Coming soon.</strong>
        <div className="muted">
          This page needs the {page.waitsOn}, which is not in parley's GraphQL API yet. The console only does what the
          API can do.
        </div>
      </div>
    </>
  );
}
