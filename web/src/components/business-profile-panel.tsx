import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useQuery } from '../api/hooks';
import { BUSINESS_PROFILE, UPDATE_BUSINESS_PROFILE, type BusinessProfile } from '../api/tenant-settings-operations';
import {
  PROFILE_FIELDS,
  placeholderKey,
  profileFieldChanges,
  profileValueChanges,
  type ValueRow,
} from '../lib/channel-settings';
import { Field, FieldError, SaveRow, useSettingsSave } from './settings-fields';
import { QueryView } from './states';

/** A request from the unfilled-placeholders list to fill one name (`seq` makes a repeated click count). */
export interface FillRequest {
  name: string;
  seq: number;
}

/**
 * The business profile: what fills {{Name}} placeholders in answers. Editable
 * with users:manage, read-only otherwise. `fill` (from the unfilled list)
 * brings the named value's field into view, adding a row for it when needed.
 */
export function BusinessProfilePanel({
  canEdit,
  fill,
  onSaved,
}: {
  canEdit: boolean;
  fill: FillRequest | null;
  onSaved: () => void;
}) {
  const state = useQuery(BUSINESS_PROFILE);
  return (
    <section className="panel" id="business-profile" aria-labelledby="business-profile-heading">
      <h2 id="business-profile-heading">Business profile</h2>
      <p className="muted small">
        Answers can say <code>{'{{Support Phone Number}}'}</code> or <code>{'{{Order History}}'}</code>: the bot puts
        the value from here in their place. A placeholder nothing fills is left out of the reply.
        {canEdit ? '' : ' Changing the profile needs a key with users:manage.'}
      </p>
      <QueryView state={state}>
        {(data) => <ProfileForm profile={data.businessProfile} canEdit={canEdit} fill={fill} onSaved={onSaved} />}
      </QueryView>
    </section>
  );
}

function fieldsOf(profile: BusinessProfile): Record<string, string> {
  return Object.fromEntries(PROFILE_FIELDS.map(({ name }) => [name, profile[name] ?? '']));
}

function ProfileForm({
  profile,
  canEdit,
  fill,
  onSaved,
}: {
  profile: BusinessProfile;
  canEdit: boolean;
  fill: FillRequest | null;
  onSaved: () => void;
}) {
  const [stored, setStored] = useState(profile);
  const [fields, setFields] = useState(() => fieldsOf(profile));
  const [rows, setRows] = useState<ValueRow[]>(profile.values);
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const saving = useSettingsSave('profile', UPDATE_BUSINESS_PROFILE);

  useEffect(() => {
    if (!fill || !canEdit) return;
    const index = rows.findIndex((row) => placeholderKey(row.name) === placeholderKey(fill.name));
    if (index >= 0) setFocusRow(index);
    else {
      setRows((current) => [...current, { name: fill.name, value: '' }]);
      setFocusRow(rows.length);
    }
    // Only a new request moves the focus, not every edit of the rows.
  }, [fill]);
  useEffect(() => {
    if (focusRow === null) return;
    const input = form.current?.querySelector<HTMLInputElement>(`#profile-value-${focusRow}`);
    input?.scrollIntoView({ block: 'center' });
    input?.focus();
    setFocusRow(null);
  }, [focusRow]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { changes, errors } = profileValueChanges(stored.values, rows);
    setRowErrors(errors);
    if (Object.keys(errors).length) return;
    const result = await saving.save({
      input: { ...profileFieldChanges(stored, fields), ...(changes.length ? { values: changes } : {}) },
    });
    if (result) {
      const next = result.updateBusinessProfile;
      setStored(next);
      setFields(fieldsOf(next));
      setRows(next.values);
      onSaved();
    }
  }
  const setRow = (index: number, change: Partial<ValueRow>) =>
    setRows(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));

  return (
    <form className="form" ref={form} onSubmit={submit} aria-label="Business profile">
      <div className="grid-2 tight">
        {PROFILE_FIELDS.map((field) => (
          <Field
            key={field.name}
            id={`profile-${field.name}`}
            label={field.label}
            help={field.help}
            error={saving.errors[field.name]}
          >
            {(props) => (
              <input
                {...props}
                value={fields[field.name] ?? ''}
                readOnly={!canEdit}
                placeholder={canEdit ? field.placeholder : 'not set'}
                onChange={(event) => setFields({ ...fields, [field.name]: event.target.value })}
              />
            )}
          </Field>
        ))}
      </div>
      <fieldset className="profile-values">
        <legend>Named values</legend>
        <p className="muted small" id="profile-values-help">
          Any other placeholder, by its name (case and spacing do not matter): {'{{Order History}}'} →{' '}
          <q>Account → Orders</q>. Empty a value to remove it.
        </p>
        {rows.length === 0 ? <p className="muted small">No named values yet.</p> : null}
        {rows.map((row, index) => (
          <div key={index}>
            <div className="row">
              <input
                className="value-name"
                aria-label={`Placeholder name ${index + 1}`}
                value={row.name}
                readOnly={!canEdit}
                placeholder="Order History"
                onChange={(event) => setRow(index, { name: event.target.value })}
              />
              <input
                id={`profile-value-${index}`}
                className="value-text"
                aria-label={row.name.trim() ? `Value of {{${row.name.trim()}}}` : `Value ${index + 1}`}
                aria-describedby="profile-values-help"
                value={row.value}
                readOnly={!canEdit}
                placeholder="Account → Orders"
                onChange={(event) => setRow(index, { value: event.target.value })}
              />
            </div>
            <FieldError id={`profile-value-${index}-error`} message={rowErrors[index]} />
          </div>
        ))}
        <FieldError id="profile-values-error" message={saving.errors.values} />
        {canEdit ? (
          <button type="button" onClick={() => setRows([...rows, { name: '', value: '' }])}>
            Add a value
          </button>
        ) : null}
      </fieldset>
      {canEdit ? <SaveRow label="Save profile" state={saving} /> : null}
    </form>
  );
}
