/** Where a cursor-paged list stands: GraphQL's `pageInfo`. */
export interface PagerInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * Newer / Older buttons over a cursor-paged list. `pages` is the stack of
 * `after` cursors of the pages seen so far (the first is null): Older pushes
 * the current page's end cursor, Newer pops back.
 */
export function Pager({
  pages,
  setPages,
  pageInfo,
}: {
  pages: (string | null)[];
  setPages: (pages: (string | null)[]) => void;
  pageInfo: PagerInfo;
}) {
  return (
    <div className="pager">
      <button type="button" disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>
        ← Newer
      </button>
      <button type="button" disabled={!pageInfo.hasNextPage} onClick={() => setPages([...pages, pageInfo.endCursor])}>
        Older →
      </button>
    </div>
  );
}
