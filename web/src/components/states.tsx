import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

const ADVICE: Record<string, string> = {
  FORBIDDEN: 'Your key lacks the scope this needs: sign in with a key that has it.',
  UNAUTHENTICATED: 'Your session ended: sign in again.',
  NETWORK: 'Check that parley is running and reachable.',
  RATE_LIMITED: 'Wait a moment and try again.',
};

export function ErrorNotice({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <strong>Something went wrong.</strong> {error.message}
      {ADVICE[error.code] ? <div className="muted">{ADVICE[error.code]}</div> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

/** Loading / error / content, in that order, keeping stale content visible during a reload. */
export function QueryView<T>({
  state,
  children,
}: {
  state: { data: T | null; error: ApiError | null; loading: boolean; reload(): void };
  children: (data: T) => ReactNode;
}) {
  if (state.error && !state.data) return <ErrorNotice error={state.error} onRetry={state.reload} />;
  if (!state.data) return <Loading />;
  return (
    <>
      {state.error ? <ErrorNotice error={state.error} onRetry={state.reload} /> : null}
      {children(state.data)}
    </>
  );
}
