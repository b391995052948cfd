import { Suspense, useCallback, useEffect, useState } from 'react';
import { onSignedOut } from './api/client';
import { fetchSession, signOut, type SessionInfo } from './api/session';
import { ErrorNotice, Loading } from './components/states';
import { matchPage, visiblePages } from './lib/pages';
import { navigate, useLocation } from './lib/router';
import { PAGE_COMPONENTS, WaitingPage } from './pages';
import { GraphiqlPage } from './pages/lazy';
import { SignInPage } from './pages/sign-in-page';
import { SessionContext } from './session-context';
import { ApiError } from './api/client';

export function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [expired, setExpired] = useState(false);
  const location = useLocation();

  const refresh = useCallback(() => {
    fetchSession().then(
      (info) => {
        setSession(info);
        setError(null);
      },
      (caught: unknown) => setError(caught instanceof ApiError ? caught : new ApiError(String(caught), 'NETWORK', 0)),
    );
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(
    () =>
      onSignedOut(() => {
        setExpired(true);
        setSession((previous) => (previous ? { ...previous, signedIn: false } : previous));
      }),
    [],
  );

  if (error) return <ErrorNotice error={error} onRetry={refresh} />;
  if (!session) return <Loading label="Opening the console…" />;

  const matched = matchPage(location.path);
  // GraphiQL works without a session too: paste a key into its headers (Authorization: Bearer pk_…).
  if (matched?.page.id === 'graphiql' && session.graphiql && !session.signedIn) {
    return (
      <Suspense fallback={<Loading />}>
        <GraphiqlPage signedIn={false} />
      </Suspense>
    );
  }
  if (!session.signedIn) {
    return (
      <SignInPage
        expired={expired}
        onSignedIn={() => {
          setExpired(false);
          refresh();
        }}
      />
    );
  }

  const pages = visiblePages(session.scopes ?? [], { graphiql: session.graphiql });
  const page = matched && pages.includes(matched.page) ? matched.page : null;
  const Component = page ? PAGE_COMPONENTS[page.id] : undefined;

  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="layout">
        <header className="topbar">
          <strong className="brand">parley</strong>
          <span
            className="tenant"
            title={`Key ${session.keyName} (${session.keyPrefix}…), scopes ${session.scopes?.join(', ')}`}
          >
            {session.tenantName}
          </span>
          <button
            type="button"
            className="link"
            onClick={async () => {
              await signOut();
              setExpired(false);
              refresh();
            }}
          >
            Sign out
          </button>
        </header>
        <nav className="sidebar" aria-label="Console pages">
          <ul>
            {pages.map((entry) => (
              <li key={entry.id}>
                <a
                  href={`/admin${entry.path === '/' ? '/' : entry.path}`}
                  aria-current={entry === page ? 'page' : undefined}
                  onClick={(event) => {
                    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                    event.preventDefault();
                    navigate(entry.path);
                  }}
                >
                  {entry.title}
                  {entry.waitsOn ? <span className="soon">soon</span> : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className={page?.id === 'graphiql' ? 'content content-wide' : 'content'} tabIndex={-1}>
          {!page ? (
            <div className="state state-empty">
              <strong>No such page, or your key cannot see it.</strong>
              <div className="muted">Pick a page from the menu.</div>
            </div>
          ) : page.waitsOn ? (
            <WaitingPage page={page} />
          ) : page.id === 'graphiql' ? (
            <Suspense fallback={<Loading label="Loading GraphiQL…" />}>
              <GraphiqlPage signedIn />
            </Suspense>
          ) : Component ? (
            <Component rest={matched?.rest ?? ''} search={location.search} />
          ) : null}
        </main>
      </div>
    </SessionContext.Provider>
  );
}
