import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import { CREATE_CORRECTION, type Correction, type CorrectionCategory } from '../api/operations';
import { ErrorNotice } from './states';

const CATEGORIES: { value: CorrectionCategory; label: string }[] = [
  { value: 'WRONG_FACTS', label: 'Wrong facts' },
  { value: 'INCOMPLETE', label: 'Incomplete' },
  { value: 'TONE', label: 'Tone' },
  { value: 'POLICY', label: 'Against policy' },
  { value: 'OTHER', label: 'Other' },
];

/** Write a better reply for one bot turn, in place; it goes to the approvers as PENDING. */
export function CorrectionForm({
  interactionId,
  initialText,
  onDone,
}: {
  interactionId: string;
  initialText?: string;
  onDone?: (correction: Correction) => void;
}) {
  const [text, setText] = useState(initialText ?? '');
  const [category, setCategory] = useState<CorrectionCategory>('WRONG_FACTS');
  const [reason, setReason] = useState('');
  const [saved, setSaved] = useState<Correction | null>(null);
  const mutation = useMutation(CREATE_CORRECTION);
  const id = `correction-${interactionId}`;
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await mutation.run({
      input: { interactionId, correctedReply: text.trim(), category, reason: reason.trim() || undefined },
    });
    if (result) {
      setSaved(result.createCorrection);
      onDone?.(result.createCorrection);
    }
  }
  if (saved)
    return (
      <p className="state state-ok" role="status">
        Correction sent for approval (pending).
      </p>
    );
  return (
    <form className="correction-form" onSubmit={submit}>
      <label htmlFor={`${id}-text`}>Better reply</label>
      <textarea
        id={`${id}-text`}
        required
        maxLength={4000}
        rows={3}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <div className="row">
        <label>
          What was wrong{' '}
          <select value={category} onChange={(event) => setCategory(event.target.value as CorrectionCategory)}>
            {CATEGORIES.map((entry) => (
              <option key={entry.value} value={entry.value}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Why (optional) <input value={reason} maxLength={1000} onChange={(event) => setReason(event.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={mutation.pending || !text.trim()}>
          {mutation.pending ? 'Sending…' : 'Send for approval'}
        </button>
      </div>
      {mutation.error ? <ErrorNotice error={mutation.error} /> : null}
    </form>
  );
}
