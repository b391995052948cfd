import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, request, type TypedDocument } from './client';

export interface QueryState<TData> {
  data: TData | null;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

/** Runs a query when the variables change (compared as JSON); the latest answer wins. */
export function useQuery<TData, TVariables>(
  document: TypedDocument<TData, TVariables>,
  variables?: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TData> {
  const [state, setState] = useState<{ data: TData | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: !options.skip,
  });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables ?? {});
  const latest = useRef(0);
  useEffect(() => {
    if (options.skip) return;
    const ticket = ++latest.current;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    request(document, variables).then(
      (data) => ticket === latest.current && setState({ data, error: null, loading: false }),
      (error: unknown) =>
        ticket === latest.current &&
        setState((previous) => ({ data: previous.data, error: asApiError(error), loading: false })),
    );
    // `variables` is compared through `key` (its JSON), so a new object with the same values does not refetch.
  }, [document, key, generation, options.skip]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

/** A mutation with its pending and error state. */
export function useMutation<TData, TVariables>(document: TypedDocument<TData, TVariables>) {
  const [state, setState] = useState<{ pending: boolean; error: ApiError | null }>({ pending: false, error: null });
  const run = useCallback(
    async (variables: TVariables): Promise<TData | null> => {
      setState({ pending: true, error: null });
      try {
        const data = await request(document, variables);
        setState({ pending: false, error: null });
        return data;
      } catch (error) {
        setState({ pending: false, error: asApiError(error) });
        return null;
      }
    },
    [document],
  );
  return { run, ...state };
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError(error instanceof Error ? error.message : String(error), 'INTERNAL', 0);
}
