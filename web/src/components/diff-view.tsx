import { diffWords } from '../lib/diff';

/** The bot's reply against the correction, words removed struck through and words added underlined. */
export function DiffView({ before, after }: { before: string; after: string }) {
  const parts = diffWords(before, after);
  return (
    <p className="diff" aria-label="Changes from the bot reply to the correction">
      {parts.map((part, index) =>
        part.kind === 'same' ? (
          <span key={index}>{part.text}</span>
        ) : part.kind === 'removed' ? (
          <del key={index} title="removed">
            {part.text}
          </del>
        ) : (
          <ins key={index} title="added">
            {part.text}
          </ins>
        ),
      )}
    </p>
  );
}
