// People: the users list (search and role filter in the URL, keyset paging), inviting someone
// (a user created without a password gets an invite), and per user: roles, manager, suspend or
// reactivate, sign out everywhere. Each API error is shown by the control that caused it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api/schema';
import type { Failure } from '../api/client';
import { t } from '../i18n';
import { api, attempt, errorField, errorText } from '../lib/api';
import * as fmt from '../lib/format';
import { useQueryState } from '../lib/router';
import { can, useMe } from '../lib/session';
import { Button, Dialog, Empty, ErrorAlert, ErrorSummary, Field, PageTitle, Pager, StatusBadge, describedBy, toast, useLoad, usePager, LoadStatus, type FieldError, TableHead } from '../ui';
import { EMAIL_RE } from './SignIn';
import './admin.css';

type User = components['schemas']['User'];
type Role = components['schemas']['Role'];

/** Names of users seen on this page (the list, searches, managers looked up), by id. */
const names = new Map<number, string>();
const remember = (list: User[]) => list.forEach((u) => names.set(u.id, u.name));
const optionText = (u: User) => `${u.name} <${u.email}> #${u.id}`;
/** The user id in "Ada Lovelace <ada@example.com> #3", "#3" or "3"; null when there is none. */
export function managerIdOf(text: string): number | null {
  const m = /(?:^|#)([1-9]\d*)\s*$/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export default function People() {
  const me = useMe();
  const [query, setQuery] = useQueryState();
  const q = query.get('q') ?? '';
  const role = query.get('role') ?? '';
  const key = `${q}|${role}`;
  const pager = usePager(key);
  const users = useLoad(
    (signal) => attempt(() => api.get('/api/v1/users', {
      params: { query: { limit: 50, ...(q ? { q } : {}), ...(role ? { role } : {}), ...(pager.cursor ? { cursor: pager.cursor } : {}) } }, signal,
    })),
    [key, pager.cursor],
  );
  const roles = useLoad((signal) => attempt(() => api.get('/api/v1/roles', { signal })), []);
  const roleList: Role[] = roles.load.state === 'ok' ? roles.load.data.items : [];
  const [search, setSearch] = useState(q);
  const [inviting, setInviting] = useState(false);
  const [managing, setManaging] = useState<User | null>(null);
  const [changed, setChanged] = useState<number | null>(null);
  const writer = can(me, 'users.write');

  const [, setNamesTick] = useState(0);
  useEffect(() => setSearch(q), [q]);
  // Managers not on this page: look their names up once.
  useEffect(() => {
    if (users.load.state !== 'ok') return;
    remember(users.load.data.items);
    const missing = [...new Set(users.load.data.items.map((u) => u.manager_id))].filter((id): id is number => id !== null && !names.has(id));
    if (!missing.length) return;
    Promise.all(missing.map((id) => attempt(() => api.get('/api/v1/users/{id}', { params: { path: { id } } })))).then((rs) => {
      rs.forEach((r) => { if (r.ok) names.set(r.data.id, r.data.name); });
      setNamesTick((n) => n + 1);
    }, () => undefined);
  }, [users.load]);

  const replaceUser = (u: User) => {
    if (users.load.state !== 'ok') return;
    users.set({ ...users.load.data, items: users.load.data.items.map((x) => (x.id === u.id ? u : x)) });
    setManaging((m) => (m && m.id === u.id ? u : m));
    remember([u]);
    setChanged(u.id);
  };
  const list = users.load.state === 'ok' ? users.load.data.items : [];
  const nameOf = (id: number | null) => {
    if (id === null) return t('app.none');
    return names.get(id) ?? t('admin.people.userId', { id });
  };

  return (
    <>
      <PageTitle actions={writer ? <Button variant="primary" onClick={() => setInviting((v) => !v)} aria-expanded={inviting}>{t('admin.people.invite')}</Button> : null}>
        {t('admin.people.title')}
      </PageTitle>

      {inviting ? (
        <InviteForm roles={roleList} onDone={(u) => {
          setInviting(false);
          toast(t('admin.people.invited', { email: u.email }), 'ok');
          setSearch(u.email);
          setQuery({ q: u.email, role: null });
          users.reload();
          setChanged(u.id);
        }} onCancel={() => setInviting(false)} />
      ) : null}

      <form class="filters" role="search" aria-label={t('admin.people.filters')}
        onSubmit={(e) => { e.preventDefault(); setQuery({ q: search.trim() }); }}>
        <Field id="people-q" label={t('admin.people.search')}>
          <input id="people-q" type="search" value={search} maxLength={200} onInput={(e) => setSearch(e.currentTarget.value)} />
        </Field>
        <Field id="people-role" label={t('admin.people.role')}>
          <select id="people-role" value={role} onChange={(e) => setQuery({ role: e.currentTarget.value })}>
            <option value="">{t('admin.people.anyRole')}</option>
            {roleList.map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
          </select>
        </Field>
        <Button type="submit">{t('admin.people.apply')}</Button>
      </form>

      <LoadStatus load={users.load} retry={users.reload} />
      {users.load.state === 'ok' && list.length === 0 ? (
        <Empty title={t('admin.people.empty.title')} body={t('admin.people.empty.body')}>
          <Button onClick={() => { setSearch(''); setQuery({ q: null, role: null }); }}>{t('admin.people.clearFilters')}</Button>
        </Empty>
      ) : null}
      {list.length > 0 ? (
        <>
          <div class="table-wrap">
            <table class="admin-table">
              <caption class="visually-hidden">{t('admin.people.caption')}</caption>
              <TableHead
                cols={[
                  t('admin.people.col.name'),
                  t('admin.people.col.status'),
                  t('admin.people.col.roles'),
                  t('admin.people.col.manager'),
                  { label: t('admin.people.col.actions'), hidden: true },
                ]}
              />
              <tbody>
                {list.map((u) => (
                  <tr key={u.id} class={changed === u.id ? 'changed' : ''}>
                    <th scope="row">
                      <span>{u.name}</span> <span class="muted small">{t('admin.people.userId', { id: u.id })}</span><br />
                      <span class="muted small">{u.email}</span>
                    </th>
                    <td><StatusBadge status={u.status} /></td>
                    <td><span class="tags">{u.roles.map((r) => <span key={r} class="tag">{r}</span>)}</span></td>
                    <td>{nameOf(u.manager_id)}</td>
                    <td>
                      {writer ? (
                        <Button onClick={() => setManaging(u)} aria-label={t('admin.people.manageWho', { name: u.name })}>
                          {t('admin.people.manage')}
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pager={pager} nextCursor={users.load.state === 'ok' ? users.load.data.next_cursor : null} />
        </>
      ) : null}

      <Dialog open={!!managing} title={managing ? t('admin.people.manageWho', { name: managing.name }) : ''} onClose={() => setManaging(null)}>
        {managing ? <UserPanel key={managing.id} user={managing} roles={roleList} self={me?.id === managing.id}
          canRoles={can(me, 'roles.manage')} onChange={replaceUser} /> : null}
        <div class="btn-row">
          <Button onClick={() => setManaging(null)}>{t('app.close')}</Button>
        </div>
      </Dialog>
    </>
  );
}

function InviteForm({ roles, onDone, onCancel }: { roles: Role[]; onDone: (u: User) => void; onCancel: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>(['employee']);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: FieldError[] = [];
    const em = email.trim();
    const nm = name.trim();
    if (!em) found.push({ field: 'invite-email', message: t('admin.people.err.emailRequired') });
    else if (em.length > 254 || !EMAIL_RE.test(em)) found.push({ field: 'invite-email', message: t('admin.people.err.emailInvalid') });
    if (!nm) found.push({ field: 'invite-name', message: t('admin.people.err.nameRequired') });
    else if (nm.length > 200) found.push({ field: 'invite-name', message: t('admin.people.err.nameLong') });
    else if (CONTROL_RE.test(nm)) found.push({ field: 'invite-name', message: t('admin.people.err.nameControl') });
    if (!picked.length) found.push({ field: 'invite-roles', message: t('admin.people.err.rolesRequired') });
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    setPending(true);
    const r = await attempt(() => api.post('/api/v1/users', { body: { email: em, name: nm, roles: picked } }));
    setPending(false);
    if (r.ok) return onDone(r.data);
    const f = errorField(r.error);
    if (r.status === 409) setErrors([{ field: 'invite-email', message: t('admin.people.err.emailTaken') }]);
    else if (f === 'email' || f === 'name') setErrors([{ field: `invite-${f}`, message: errorText(r.error) }]);
    else if (f?.startsWith('roles') || r.status === 403) setErrors([{ field: 'invite-roles', message: errorText(r.error) }]);
    else setFailure(r);
  };
  const err = (f: string) => errors.find((x) => x.field === f)?.message;

  return (
    <form class="card" ref={ref} onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">{t('admin.people.inviteTitle')}</h2>
      <p class="muted">{t('admin.people.inviteIntro')}</p>
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      <Field id="invite-email" label={t('admin.people.email')} error={err('invite-email')}>
        <input id="invite-email" type="email" autocomplete="off" spellcheck={false} value={email} maxLength={254}
          onInput={(e) => setEmail(e.currentTarget.value)} aria-invalid={!!err('invite-email') || undefined}
          aria-describedby={describedBy('invite-email', undefined, err('invite-email'))} />
      </Field>
      <Field id="invite-name" label={t('admin.people.name')} error={err('invite-name')}>
        <input id="invite-name" type="text" autocomplete="off" value={name} maxLength={200}
          onInput={(e) => setName(e.currentTarget.value)} aria-invalid={!!err('invite-name') || undefined}
          aria-describedby={describedBy('invite-name', undefined, err('invite-name'))} />
      </Field>
      <RoleChecks id="invite-roles" roles={roles} picked={picked} onChange={setPicked} error={err('invite-roles')} />
      <div class="btn-row">
        <Button type="submit" variant="primary" pending={pending}>{t('admin.people.sendInvite')}</Button>
        <Button onClick={onCancel}>{t('app.cancel')}</Button>
      </div>
    </form>
  );
}

function RoleChecks({ id, roles, picked, onChange, error, disabled }: {
  id: string; roles: Role[]; picked: string[]; onChange: (r: string[]) => void; error?: string | undefined; disabled?: boolean;
}) {
  return (
    <fieldset class={`checks ${error ? 'field-error' : ''}`} id={id} tabIndex={-1}
      aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t('admin.people.roles')}</legend>
      {error ? <p class="error-text" id={`${id}-error`}><span class="visually-hidden">{t('admin.error')}</span>{error}</p> : null}
      <div class="check-list">
        {roles.map((r) => (
          <label key={r.name} class="check">
            <input type="checkbox" checked={picked.includes(r.name)} disabled={disabled}
              onChange={(e) => onChange(e.currentTarget.checked ? [...picked, r.name].sort() : picked.filter((x) => x !== r.name))} />
            <span>{r.name}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function UserPanel({ user, roles, self, canRoles, onChange }: {
  user: User; roles: Role[]; self: boolean; canRoles: boolean; onChange: (u: User) => void;
}) {
  const [picked, setPicked] = useState<string[]>(user.roles);
  const [rolesErr, setRolesErr] = useState<string>();
  const [rolesPending, setRolesPending] = useState(false);
  const [manager, setManager] = useState(user.manager_id === null ? ''
    : names.has(user.manager_id) ? `${names.get(user.manager_id)} #${user.manager_id}` : `#${user.manager_id}`);
  const [options, setOptions] = useState<User[]>([]);
  useEffect(() => {
    const text = manager.trim();
    if (text.length < 2 || managerIdOf(text) !== null) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      attempt(() => api.get('/api/v1/users', { params: { query: { q: text.slice(0, 200), limit: 10 } }, signal: ctrl.signal })).then((r) => {
        if (r.ok) {
          remember(r.data.items);
          setOptions(r.data.items.filter((u) => u.id !== user.id));
        }
      }, () => undefined);
    }, 250);
    return () => { clearTimeout(timer); ctrl.abort(); };
  }, [manager]);
  const [managerErr, setManagerErr] = useState<string>();
  const [managerPending, setManagerPending] = useState(false);
  const [statusErr, setStatusErr] = useState<string>();
  const [statusPending, setStatusPending] = useState(false);
  const [sessionsErr, setSessionsErr] = useState<string>();
  const [sessionsPending, setSessionsPending] = useState(false);
  const [confirmSuspend, setConfirmSuspend] = useState(false);

  const saveRoles = async () => {
    if (!picked.length) return setRolesErr(t('admin.people.err.rolesRequired'));
    setRolesErr(undefined);
    setRolesPending(true);
    const r = await attempt(() => api.put('/api/v1/users/{id}/roles', { params: { path: { id: user.id } }, body: { roles: picked } }));
    setRolesPending(false);
    if (!r.ok) return setRolesErr(errorText(r.error));
    onChange(r.data);
    toast(t('admin.people.rolesSaved', { name: user.name }), 'ok');
  };

  const saveManager = async (e: Event) => {
    e.preventDefault();
    const v = manager.trim();
    const id = v ? managerIdOf(v) : null;
    if (v && id === null) return setManagerErr(t('admin.people.err.managerId'));
    if (id === user.id) return setManagerErr(t('admin.people.err.managerSelf'));
    setManagerErr(undefined);
    setManagerPending(true);
    const r = await attempt(() => api.put('/api/v1/users/{id}/manager', { params: { path: { id: user.id } }, body: { manager_id: id } }));
    setManagerPending(false);
    if (!r.ok) {
      const path = (r.error.details as { path?: unknown } | null)?.path;
      if (r.error.code === 'cycle' && Array.isArray(path)) return setManagerErr(t('admin.people.err.managerCycle', {
        path: path.map((p) => names.get(Number(p)) ?? t('admin.people.userId', { id: String(p) })).join(' → '),
      }));
      return setManagerErr(errorText(r.error));
    }
    onChange(r.data);
    toast(t('admin.people.managerSaved', { name: user.name }), 'ok');
  };

  const setStatus = async (status: 'active' | 'suspended') => {
    setStatusErr(undefined);
    setStatusPending(true);
    const r = await attempt(() => api.patch('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { status } }));
    setStatusPending(false);
    setConfirmSuspend(false);
    if (!r.ok) return setStatusErr(errorText(r.error));
    onChange(r.data);
    toast(t(status === 'active' ? 'admin.people.reactivated' : 'admin.people.suspended', { name: user.name }), 'ok');
  };

  const signOutEverywhere = async () => {
    setSessionsErr(undefined);
    setSessionsPending(true);
    const r = await attempt(() => api.delete('/api/v1/users/{id}/sessions', { params: { path: { id: user.id } } }));
    setSessionsPending(false);
    if (!r.ok) return setSessionsErr(errorText(r.error));
    toast(t('admin.people.signedOut', { name: user.name }), 'ok');
  };

  const err = (id: string, e: string | undefined) => (e
    ? <p class="error-text" id={`${id}-error`} role="alert"><span class="visually-hidden">{t('admin.error')}</span>{e}</p>
    : null);

  return (
    <div class="user-panel">
      <p class="muted">{user.email} · <StatusBadge status={user.status} /></p>

      <RoleChecks id="user-roles" roles={roles} picked={picked} onChange={setPicked} error={rolesErr} disabled={!canRoles} />
      {canRoles ? <Button onClick={saveRoles} pending={rolesPending}>{t('admin.people.saveRoles')}</Button>
        : <p class="muted small">{t('admin.people.noRolesPerm')}</p>}

      <form onSubmit={saveManager} noValidate>
        <Field id="user-manager" label={t('admin.people.managerId')} hint={t('admin.people.managerHint')} error={managerErr}>
          <input id="user-manager" list="user-manager-options" autocomplete="off" value={manager} onInput={(e) => setManager(e.currentTarget.value)}
            aria-invalid={!!managerErr || undefined} aria-describedby={describedBy('user-manager', true, managerErr)} />
          <datalist id="user-manager-options">
            {options.map((u) => <option key={u.id} value={optionText(u)} />)}
          </datalist>
        </Field>
        <Button type="submit" pending={managerPending}>{t('admin.people.saveManager')}</Button>
      </form>

      <h3>{t('admin.people.access')}</h3>
      {user.status === 'invited' ? <p class="muted small">{t('admin.people.invitedHint')}</p> : null}
      <div class="btn-row">
        {user.status === 'suspended' ? (
          <Button onClick={() => setStatus('active')} pending={statusPending} aria-describedby={statusErr ? 'user-status-error' : undefined}>
            {t('admin.people.reactivate')}
          </Button>
        ) : confirmSuspend ? (
          <>
            <Button variant="danger" onClick={() => setStatus('suspended')} pending={statusPending}>{t('admin.people.confirmSuspend', { name: user.name })}</Button>
            <Button onClick={() => setConfirmSuspend(false)}>{t('app.cancel')}</Button>
          </>
        ) : (
          <Button variant="danger" onClick={() => setConfirmSuspend(true)} disabled={self}
            aria-describedby={statusErr ? 'user-status-error' : undefined}>{t('admin.people.suspend')}</Button>
        )}
        <Button onClick={signOutEverywhere} pending={sessionsPending} aria-describedby={sessionsErr ? 'user-sessions-error' : undefined}>
          {t('admin.people.signOutEverywhere')}
        </Button>
      </div>
      {confirmSuspend ? <p class="muted small">{t('admin.people.suspendHint')}</p> : null}
      {err('user-status', statusErr)}
      {err('user-sessions', sessionsErr)}
      <p class="muted small">{t('admin.people.created', { time: fmt.dateTime(user.created_at) })}</p>
    </div>
  );
}

