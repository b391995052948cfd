/** The API key scopes (src/db/entities/api-key.entity.ts). */
export type Scope = 'analytics:view' | 'corrections:write' | 'users:manage';

export interface PageDefinition {
  id: string;
  /** Path under /admin. */
  path: string;
  title: string;
  /** Any one of these scopes shows the page. */
  scopes: Scope[];
  /**
   * Set while the GraphQL API the page needs is not built yet: the page is
   * listed (so people know it is coming) but shows what it waits for.
   */
  waitsOn?: string;
}

/**
 * Every page of the console, in navigation order. Adding a page: a row here
 * and a component in pages/index.ts under the same id.
 */
export const PAGES: PageDefinition[] = [
  { id: 'overview', path: '/', title: 'Overview', scopes: ['analytics:view'] },
  { id: 'conversations', path: '/conversations', title: 'Conversations', scopes: ['analytics:view'] },
  { id: 'handoffs', path: '/handoffs', title: 'Handoff desk', scopes: ['analytics:view'] },
  { id: 'feedback', path: '/feedback', title: 'Feedback review', scopes: ['analytics:view'] },
  { id: 'corrections', path: '/corrections', title: 'Corrections', scopes: ['analytics:view'] },
  { id: 'providers', path: '/providers', title: 'Providers', scopes: ['analytics:view'] },
  {
    id: 'knowledge',
    path: '/knowledge',
    title: 'Knowledge',
    scopes: ['analytics:view', 'corrections:write', 'users:manage'],
  },
  { id: 'learning', path: '/learning', title: 'Learning', scopes: ['analytics:view'] },
  { id: 'training', path: '/training', title: 'Training', scopes: ['analytics:view'] },
  { id: 'experiments', path: '/experiments', title: 'Experiments', scopes: ['analytics:view'] },
  { id: 'alerts', path: '/alerts', title: 'Alerts', scopes: ['analytics:view'] },
  { id: 'settings', path: '/settings', title: 'Settings', scopes: ['users:manage'] },
  {
    id: 'access',
    path: '/access',
    title: 'API keys & audit',
    scopes: ['users:manage'],
  },
  {
    id: 'graphiql',
    path: '/graphiql',
    title: 'GraphiQL',
    scopes: ['analytics:view', 'corrections:write', 'users:manage'],
  },
];

/** Whether a key with `scopes` may use something that needs any of `needed`. */
export function hasAnyScope(scopes: readonly string[], needed: readonly Scope[]): boolean {
  return needed.length === 0 || needed.some((scope) => scopes.includes(scope));
}

/** The pages a key with `scopes` sees (GraphiQL only when the server offers it). */
export function visiblePages(scopes: readonly string[], options: { graphiql: boolean }): PageDefinition[] {
  return PAGES.filter((page) => hasAnyScope(scopes, page.scopes) && (page.id !== 'graphiql' || options.graphiql));
}

/**
 * The page for a path under /admin (longest matching prefix; /conversations/abc
 * is the conversations page with the rest as its parameter), or null.
 */
export function matchPage(path: string): { page: PageDefinition; rest: string } | null {
  const clean = path.replace(/\/+$/, '') || '/';
  let best: { page: PageDefinition; rest: string } | null = null;
  for (const page of PAGES) {
    if (page.path === '/') {
      if (clean === '/' && !best) best = { page, rest: '' };
      continue;
    }
    if (clean === page.path || clean.startsWith(`${page.path}/`)) {
      if (!best || page.path.length > best.page.path.length) best = { page, rest: clean.slice(page.path.length + 1) };
    }
  }
  return best;
}
