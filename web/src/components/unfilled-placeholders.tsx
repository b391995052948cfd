import { formatCount } from '../lib/format';

/**
 * The placeholders active answers use that nothing fills. With users:manage
 * each name is a button that opens its value in the business profile.
 */
export function UnfilledPlaceholders({
  placeholders,
  canEdit,
  onFill,
}: {
  placeholders: { name: string; articleCount: number }[];
  canEdit: boolean;
  onFill: (name: string) => void;
}) {
  if (!placeholders.length) return null;
  return (
    <div className="state state-warning placeholder-links" role="note" aria-label="Unfilled placeholders">
      <strong>Unfilled placeholders.</strong> Answers use{' '}
      {placeholders.map((entry, index) => (
        <span key={entry.name}>
          {index ? ', ' : ''}
          {canEdit ? (
            <button
              type="button"
              className="link"
              title={`Fill {{${entry.name}}} in the business profile`}
              onClick={() => onFill(entry.name)}
            >
              <code>{`{{${entry.name}}}`}</code>
            </button>
          ) : (
            <code>{`{{${entry.name}}}`}</code>
          )}{' '}
          ({formatCount(entry.articleCount)} {entry.articleCount === 1 ? 'article' : 'articles'})
        </span>
      ))}{' '}
      that the business profile does not fill; those parts are left out of replies until it does.
      {canEdit ? ' Select one to fill it in the profile.' : ''}
    </div>
  );
}
