// Roles: every role with its permissions and the roles it inherits; create or edit a custom role
// (permission checkboxes, inherited roles). An inheritance loop is refused by the server with the
// loop's path, shown as "a → b → a" by the inherits field.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api/schema';
import type { Failure } from '../api/client';
import { t } from '../i18n';
import { api, attempt, errorField, errorText } from '../lib/api';
import { can, useMe } from '../lib/session';
import { Button, Dialog, Empty, ErrorAlert, ErrorSummary, Field, PageTitle, describedBy, toast, useLoad, LoadStatus, type FieldError, TableHead } from '../ui';
import './admin.css';

type Role = components['schemas']['Role'];
type Permission = components['schemas']['Permission'];

const PERMISSIONS: Permission[] = [
  'profile.self', 'users.read', 'users.write', 'roles.manage', 'profiles.read', 'profiles.review', 'profiles.assign',
  'profiles.status', 'documents.review', 'bulk.run', 'reports.read', 'reports.manage', 'audit.read', 'email.manage',
  'metrics.read', 'ws.admin', 'jobs.manage',
];
const NAME_RE = /^[a-z][a-z0-9_]{1,63}$/;

type Editing = { mode: 'new' } | { mode: 'edit'; role: Role } | null;

export default function Roles() {
  const me = useMe();
  const manage = can(me, 'roles.manage');
  const roles = useLoad((signal) => attempt(() => api.get('/api/v1/roles', { signal })), []);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [deletePending, setDeletePending] = useState(false);
  const [deleteError, setDeleteError] = useState<Failure | null>(null);
  const list: Role[] = roles.load.state === 'ok' ? roles.load.data.items : [];

  const remove = async () => {
    if (!deleting) return;
    setDeletePending(true);
    setDeleteError(null);
    const r = await attempt(() => api.delete('/api/v1/roles/{name}', { params: { path: { name: deleting.name } } }));
    setDeletePending(false);
    if (!r.ok) return setDeleteError(r);
    toast(t('admin.roles.deleted', { name: deleting.name }), 'ok');
    setDeleting(null);
    roles.reload();
  };

  return (
    <>
      <PageTitle actions={manage ? (
        <Button variant="primary" onClick={() => setEditing({ mode: 'new' })} aria-expanded={editing?.mode === 'new'}>{t('admin.roles.new')}</Button>
      ) : null}>
        {t('admin.roles.title')}
      </PageTitle>
      <p class="muted">{t('admin.roles.intro')}</p>

      {editing ? (
        <RoleForm key={editing.mode === 'edit' ? editing.role.name : '(new)'} editing={editing} roles={list}
          onDone={(role, created) => {
            toast(t(created ? 'admin.roles.created' : 'admin.roles.saved', { name: role.name }), 'ok');
            setEditing(null);
            roles.reload();
          }}
          onCancel={() => setEditing(null)} />
      ) : null}

      <LoadStatus load={roles.load} retry={roles.reload} />
      {roles.load.state === 'ok' && list.length === 0 ? <Empty title={t('admin.roles.empty')} /> : null}
      {list.length > 0 ? (
        <div class="table-wrap">
          <table class="admin-table">
            <caption class="visually-hidden">{t('admin.roles.caption')}</caption>
            <TableHead
              cols={[
                t('admin.roles.col.name'),
                t('admin.roles.col.permissions'),
                t('admin.roles.col.inherits'),
                { label: t('admin.roles.col.actions'), hidden: true },
              ]}
            />
            <tbody>
              {list.map((r) => (
                <tr key={r.name}>
                  <th scope="row">
                    <span>{r.name}</span>{' '}
                    <span class={`label ${r.builtin ? 'tone-neutral' : 'tone-info'}`}>{t(r.builtin ? 'admin.roles.builtin' : 'admin.roles.custom')}</span>
                    {r.description ? <><br /><span class="muted small">{r.description}</span></> : null}
                  </th>
                  <td>
                    {r.permissions.length ? (
                      <span class="tags">{r.permissions.map((p) => <span key={p} class="tag">{p === '*' ? t('admin.roles.everything') : p}</span>)}</span>
                    ) : <span class="muted">{t('app.none')}</span>}
                  </td>
                  <td>
                    {r.inherits.length ? <span class="tags">{r.inherits.map((p) => <span key={p} class="tag">{p}</span>)}</span>
                      : <span class="muted">{t('app.none')}</span>}
                  </td>
                  <td>
                    {manage && !r.builtin ? (
                      <div class="btn-row tight">
                        <Button onClick={() => setEditing({ mode: 'edit', role: r })} aria-label={t('admin.roles.editWho', { name: r.name })}>{t('admin.roles.edit')}</Button>
                        <Button variant="ghost" onClick={() => { setDeleteError(null); setDeleting(r); }} aria-label={t('admin.roles.deleteWho', { name: r.name })}>{t('admin.roles.delete')}</Button>
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <Dialog open={!!deleting} title={deleting ? t('admin.roles.deleteTitle', { name: deleting.name }) : ''} onClose={() => setDeleting(null)}>
        <p>{t('admin.roles.deleteBody')}</p>
        <ErrorAlert error={deleteError} />
        <div class="btn-row">
          <Button variant="danger" onClick={remove} pending={deletePending}>{t('admin.roles.delete')}</Button>
          <Button onClick={() => setDeleting(null)}>{t('app.cancel')}</Button>
        </div>
      </Dialog>
    </>
  );
}

function RoleForm({ editing, roles, onDone, onCancel }: {
  editing: NonNullable<Editing>; roles: Role[]; onDone: (r: Role, created: boolean) => void; onCancel: () => void;
}) {
  const existing = editing.mode === 'edit' ? editing.role : null;
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [perms, setPerms] = useState<Permission[]>(existing?.permissions ?? []);
  const [inherits, setInherits] = useState<string[]>(existing?.inherits ?? []);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'start' });
    ref.current?.querySelector<HTMLInputElement>('input')?.focus({ preventScroll: true });
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: FieldError[] = [];
    if (!existing) {
      if (!name) found.push({ field: 'role-name', message: t('admin.roles.err.nameRequired') });
      else if (!NAME_RE.test(name)) found.push({ field: 'role-name', message: t('admin.roles.err.nameFormat') });
      else if (roles.some((r) => r.name === name)) found.push({ field: 'role-name', message: t('admin.roles.err.nameTaken') });
    }
    if (description.length > 1000) found.push({ field: 'role-description', message: t('admin.roles.err.descriptionLong') });
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    setPending(true);
    const body = { description, permissions: perms, inherits };
    const r = existing
      ? await attempt(() => api.put('/api/v1/roles/{name}', { params: { path: { name: existing.name } }, body }))
      : await attempt(() => api.post('/api/v1/roles', { body: { name, ...body } }));
    setPending(false);
    if (r.ok) return onDone(r.data, !existing);
    const details = r.error.details as { path?: unknown; permission?: unknown } | null;
    const field = errorField(r.error) ?? '';
    if (r.error.code === 'cycle' && Array.isArray(details?.path)) {
      setErrors([{ field: 'role-inherits', message: t('admin.roles.err.cycle', { path: details.path.map(String).join(' → ') }) }]);
    } else if (field.startsWith('inherits')) {
      setErrors([{ field: 'role-inherits', message: errorText(r.error) }]);
    } else if (field.startsWith('permissions') || (r.status === 403 && details?.permission)) {
      setErrors([{ field: 'role-permissions', message: errorText(r.error) }]);
    } else if (field === 'name' || (r.status === 409 && !existing)) {
      setErrors([{ field: 'role-name', message: errorText(r.error) }]);
    } else if (field === 'description') {
      setErrors([{ field: 'role-description', message: errorText(r.error) }]);
    } else setFailure(r);
  };
  const err = (f: string) => errors.find((x) => x.field === f)?.message;
  const others = roles.filter((r) => r.name !== existing?.name);

  return (
    <form class="card" ref={ref} onSubmit={submit} noValidate aria-labelledby="role-form-title">
      <h2 id="role-form-title">{existing ? t('admin.roles.editTitle', { name: existing.name }) : t('admin.roles.newTitle')}</h2>
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      {existing ? null : (
        <Field id="role-name" label={t('admin.roles.name')} hint={t('admin.roles.nameHint')} error={err('role-name')}>
          <input id="role-name" value={name} maxLength={64} spellcheck={false} autocomplete="off"
            onInput={(e) => setName(e.currentTarget.value)} aria-invalid={!!err('role-name') || undefined}
            aria-describedby={describedBy('role-name', true, err('role-name'))} />
        </Field>
      )}
      <Field id="role-description" label={t('admin.roles.description')} error={err('role-description')} optional>
        <input id="role-description" value={description} maxLength={1000}
          onInput={(e) => setDescription(e.currentTarget.value)} aria-invalid={!!err('role-description') || undefined}
          aria-describedby={describedBy('role-description', undefined, err('role-description'))} />
      </Field>
      <Checks id="role-permissions" legend={t('admin.roles.permissions')} hint={t('admin.roles.permissionsHint')}
        options={PERMISSIONS} picked={perms} onChange={(v) => setPerms(v as Permission[])} error={err('role-permissions')} />
      <Checks id="role-inherits" legend={t('admin.roles.inherits')} hint={t('admin.roles.inheritsHint')}
        options={others.map((r) => r.name)} picked={inherits} onChange={setInherits} error={err('role-inherits')} />
      <div class="btn-row">
        <Button type="submit" variant="primary" pending={pending}>{existing ? t('admin.roles.save') : t('admin.roles.create')}</Button>
        <Button onClick={onCancel}>{t('app.cancel')}</Button>
      </div>
    </form>
  );
}

function Checks({ id, legend, hint, options, picked, onChange, error }: {
  id: string; legend: string; hint: string; options: string[]; picked: string[]; onChange: (v: string[]) => void; error?: string | undefined;
}) {
  return (
    <fieldset class={`checks ${error ? 'field-error' : ''}`} id={id} tabIndex={-1}
      aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}>
      <legend>{legend}</legend>
      <p class="hint" id={`${id}-hint`}>{hint}</p>
      {error ? <p class="error-text" id={`${id}-error`}><span class="visually-hidden">{t('admin.error')}</span>{error}</p> : null}
      <div class="check-list">
        {options.map((o) => (
          <label key={o} class="check">
            <input type="checkbox" checked={picked.includes(o)}
              onChange={(e) => onChange(e.currentTarget.checked ? [...picked, o] : picked.filter((x) => x !== o))} />
            <span>{o}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
