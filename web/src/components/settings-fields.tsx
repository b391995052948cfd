import { useState, type ReactNode } from 'react';
import { ApiError, request, type TypedDocument } from '../api/client';
import { settingsFieldErrors, type SettingsForm } from '../lib/channel-settings';
import { ErrorNotice } from './states';

/** A server or local message shown under its field (the field names it in aria-describedby). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  ) : null;
}

/** A labelled text input with its explanation and its error, wired for screen readers. */
export function Field({
  id,
  label,
  help,
  error,
  children,
}: {
  id: string;
  label: ReactNode;
  help: ReactNode;
  error: string | undefined;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby': string }) => ReactNode;
}) {
  return (
    <div className="settings-field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true as const } : {}),
        'aria-describedby': `${id}-help${error ? ` ${id}-error` : ''}`,
      })}
      <FieldError id={`${id}-error`} message={error} />
      <div id={`${id}-help`} className="muted small">
        {help}
      </div>
    </div>
  );
}

/**
 * A write-only secret (an auth or bot token): a set / not set badge, an empty
 * password box whose value replaces the stored one, and, when one is stored,
 * a button that clears it. The stored value is never read back.
 */
export function SecretField({
  id,
  label,
  help,
  error,
  isSet,
  value,
  onChange,
  onClear,
  disabled,
}: {
  id: string;
  label: string;
  help: ReactNode;
  error: string | undefined;
  isSet: boolean;
  value: string;
  onChange: (value: string) => void;
  onClear: () => void;
  disabled: boolean;
}) {
  return (
    <Field
      id={id}
      label={
        <>
          {label} {isSet ? <span className="badge badge-met">set</span> : <span className="badge">not set</span>}
        </>
      }
      help={help}
      error={error}
    >
      {(props) => (
        <div className="row nowrap">
          <input
            {...props}
            type="password"
            autoComplete="new-password"
            value={value}
            onChange={(event) => onChange(event.target.value)}
            placeholder={isSet ? 'replace…' : 'paste to set'}
          />
          {isSet ? (
            <button type="button" className="danger" disabled={disabled} onClick={onClear}>
              Clear token
            </button>
          ) : null}
        </div>
      )}
    </Field>
  );
}

/**
 * The save state of one settings form: local errors stop the save; a
 * BAD_USER_INPUT answer is split by field; other failures stay general.
 */
export function useSettingsSave<TData, TVariables>(form: SettingsForm, document: TypedDocument<TData, TVariables>) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [other, setOther] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);
  async function save(
    variables: TVariables,
    options: { localErrors?: Record<string, string>; sentNumbers?: boolean } = {},
  ): Promise<TData | null> {
    setSaved(false);
    setOther(null);
    setGeneral(null);
    if (options.localErrors && Object.keys(options.localErrors).length) {
      setErrors(options.localErrors);
      return null;
    }
    setPending(true);
    try {
      const result = await request(document, variables);
      setErrors({});
      setSaved(true);
      return result;
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError(String(caught), 'INTERNAL', 0);
      if (error.code === 'BAD_USER_INPUT') {
        const split = settingsFieldErrors(form, error.message, { sentNumbers: options.sentNumbers });
        setErrors(split.fields);
        setGeneral(split.general);
      } else {
        setErrors({});
        setOther(error);
      }
      return null;
    } finally {
      setPending(false);
    }
  }
  return { save, errors, general, other, saved, pending };
}

export function SaveRow({
  label,
  state,
}: {
  label: string;
  state: { pending: boolean; saved: boolean; general: string | null; other: ApiError | null };
}) {
  return (
    <>
      <div className="row">
        <button type="submit" className="primary" disabled={state.pending}>
          {state.pending ? 'Saving…' : label}
        </button>
        {state.saved ? (
          <span className="state-ok" role="status">
            Saved.
          </span>
        ) : null}
      </div>
      {state.general ? (
        <div className="state state-error" role="alert">
          {state.general}
        </div>
      ) : null}
      {state.other ? <ErrorNotice error={state.other} /> : null}
    </>
  );
}
