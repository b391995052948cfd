/** A vote in words (emoji fonts are not everywhere), coloured. */
export function VoteBadge({ helpful }: { helpful: boolean | null }) {
  if (helpful === null) return <span className="badge">no vote</span>;
  return (
    <span className={helpful ? 'badge badge-met' : 'badge badge-missed'}>{helpful ? 'Helpful' : 'Not helpful'}</span>
  );
}
