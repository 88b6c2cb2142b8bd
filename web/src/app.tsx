// The shell: who is signed in decides the layout. Employees get one narrow column; reviewers and
// admins the left navigation, the bell and the user menu. Pages load on first visit.
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n';
import { api, attempt } from './lib/api';
import { signIn, signOut } from './lib/auth';
import { onNotification, onReconnected, status as liveStatus, unread } from './lib/live';
import { Link, match, navigate, useLocation } from './lib/router';
import { can, expired, isStaff, useMe, type Me } from './lib/session';
import { useStore } from './lib/store';
import { setTheme, theme, type ThemeChoice } from './lib/theme';
import * as fmt from './lib/format';
import { routes, type PageProps, type RouteDef } from './routes';
import { Button, Dialog, ErrorAlert, Field, Icon, Skeleton, Toasts, toast } from './ui';
import type { components } from './api/schema';

type Notification = components['schemas']['Notification'];

const loaded = new Map<RouteDef, ComponentType<PageProps>>();

function Page({ route, params }: { route: RouteDef; params: Record<string, string> }) {
  const [, setTick] = useState(0);
  const [failed, setFailed] = useState(false);
  const Comp = loaded.get(route);
  useEffect(() => {
    if (Comp) return;
    route.load().then(
      (m) => {
        loaded.set(route, m.default);
        setTick((n) => n + 1);
      },
      () => setFailed(true),
    );
  }, [route]);
  useEffect(() => {
    // The first page on screen and usable: bench/web.mjs reads this mark.
    if (Comp && !performance.getEntriesByName('app:interactive').length) {
      requestAnimationFrame(() => performance.mark('app:interactive'));
    }
  }, [Comp]);
  if (failed) return <ErrorAlert error={{ code: 'http_0', message: t('app.offline'), details: null, request_id: '' }} onRetry={() => location.reload()} />;
  return Comp ? <Comp params={params} /> : <Skeleton />;
}

export function homeOf(user: Me): string {
  if (isStaff(user)) return '/queue';
  return '/onboarding';
}

export function App() {
  const user = useMe();
  const loc = useLocation();
  let found: { route: RouteDef; params: Record<string, string> } | undefined;
  for (const route of routes) {
    const params = match(route.path, loc.path);
    if (params) {
      found = { route, params };
      break;
    }
  }

  useEffect(() => {
    if (user === undefined) return;
    // The live location: a sign-out may have moved on already in this same tick.
    const onPublic = routes.some((r) => r.public && match(r.path, location.pathname));
    if (user === null && !onPublic) {
      const back = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
      navigate(`/sign-in${back}`, true);
    } else if (user && (loc.path === '/' || loc.path === '/sign-in')) {
      const next = loc.query.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeOf(user), true);
    }
  }, [user, loc.path]);

  if (user === undefined) return <Skeleton />;
  if (!user || found?.route.public) {
    return (
      <>
        <a class="skip-link" href="#main">{t('app.skip')}</a>
        <main id="main" class="auth">
          {found?.route.public ? <Page route={found.route} params={found.params} /> : <Skeleton />}
        </main>
        <Toasts />
      </>
    );
  }

  let content;
  if (!found) content = <NotFound />;
  else if (found.route.perm && !can(user, found.route.perm)) content = <ErrorAlert error={{ code: 'forbidden', message: t('app.forbidden'), details: null, request_id: '' }} />;
  else content = <Page key={found.route.path} route={found.route} params={found.params} />;

  const staff = isStaff(user);
  return (
    <>
      <a class="skip-link" href="#main">{t('app.skip')}</a>
      <TopBar user={user} />
      <LiveBanner />
      {staff ? (
        <div class="layout">
          <SideNav user={user} path={loc.path} />
          <main id="main">{content}</main>
        </div>
      ) : (
        <main id="main" class="narrow">{content}</main>
      )}
      <SessionExpiredDialog user={user} />
      <Toasts />
    </>
  );
}

/** Closes a popover on Escape or a click outside `ref` while it is open. */
function useDismiss(ref: { current: HTMLElement | null }, open: boolean, close: () => void) {
  useEffect(() => {
    if (!open) return;
    const on = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) close();
    };
    document.addEventListener('click', on);
    document.addEventListener('keydown', on);
    return () => {
      document.removeEventListener('click', on);
      document.removeEventListener('keydown', on);
    };
  }, [open]);
}

function NotFound() {
  return (
    <div>
      <h1>{t('app.notFound.title')}</h1>
      <p>{t('app.notFound.body')}</p>
      <Link href="/">{t('app.notFound.home')}</Link>
    </div>
  );
}

function LiveBanner() {
  const s = useStore(liveStatus);
  if (s !== 'reconnecting') return null;
  return (
    <div class="banner" role="status">
      <Icon name="refresh" />
      {t('live.reconnecting')}
    </div>
  );
}

function SideNav({ user, path }: { user: Me; path: string }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  return (
    <>
      <Button class="menu-toggle" variant="ghost" aria-expanded={open} aria-controls="sidenav" onClick={() => setOpen(!open)}>
        <Icon name="menu" />
        {t('nav.menu')}
      </Button>
      <nav id="sidenav" class={`sidenav ${open ? 'open' : ''}`} aria-label={t('nav.label')}>
        <ul>
          {can(user, 'profile.self') && user.roles.includes('employee') ? (
            <li><Link href="/onboarding" aria-current={path === '/onboarding' ? 'page' : undefined}>{t('nav.onboarding')}</Link></li>
          ) : null}
          {routes.filter((r) => r.nav && (!r.perm || can(user, r.perm))).map((r) => (
            <li key={r.path}>
              <Link href={r.path} aria-current={path === r.path || path.startsWith(`${r.path}/`) ? 'page' : undefined}>
                {t(r.nav!)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}

function TopBar({ user }: { user: Me }) {
  return (
    <header class="topbar">
      <Link class="brand" href="/">{t('app.name')}</Link>
      <Bell />
      <UserMenu user={user} />
    </header>
  );
}

function Bell() {
  const count = useStore(unread);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[]>([]);
  const [error, setError] = useState<Parameters<typeof ErrorAlert>[0]['error']>(null);
  const ref = useRef<HTMLDivElement>(null);

  const refreshCount = async () => {
    const r = await attempt(() => api.get('/api/v1/notifications/unread-count'));
    if (r.ok) unread.set(r.data.unread);
  };
  useEffect(() => {
    void refreshCount();
    const offN = onNotification((n, replayed) => {
      setItems((list) => [{ ...n, read: false } as Notification, ...list.filter((x) => x.id !== n.id)].slice(0, 50));
      if (!replayed) toast(n.title);
    });
    const offR = onReconnected(() => void refreshCount());
    return () => {
      offN();
      offR();
    };
  }, []);
  useEffect(() => {
    if (!open) return;
    void (async () => {
      const r = await attempt(() => api.get('/api/v1/notifications', { params: { query: { limit: 20 } } }));
      if (r.ok) {
        setItems(r.data.items.slice().reverse());
        unread.set(r.data.unread);
        setError(null);
      } else setError(r);
    })();
  }, [open]);
  useDismiss(ref, open, () => setOpen(false));

  const markAll = async () => {
    const r = await attempt(() => api.post('/api/v1/notifications/read-all'));
    if (r.ok) {
      unread.set(0);
      setItems((list) => list.map((n) => ({ ...n, read: true })));
    } else setError(r);
  };

  return (
    <div class="bell" ref={ref}>
      <Button variant="ghost" aria-expanded={open} aria-haspopup="true" aria-label={t('bell.label', { count: count > 99 ? '99+' : count })} onClick={() => setOpen(!open)} data-testid="bell">
        <Icon name="bell" />
        {count > 0 ? <span class="bell-count" aria-hidden="true">{count > 99 ? '99+' : count}</span> : null}
      </Button>
      {open ? (
        <div class="popover" role="region" aria-label={t('bell.title')}>
          <div class="page-title">
            <h2 class="small">{t('bell.title')}</h2>
            {count > 0 ? <Button variant="ghost" onClick={markAll}>{t('bell.markAll')}</Button> : null}
          </div>
          <ErrorAlert error={error} />
          {items.length === 0 ? <p class="muted">{t('bell.empty')}</p> : (
            <ul>
              {items.map((n) => (
                <li key={n.id} class={n.read ? '' : 'unread'}>
                  <div>{n.title}</div>
                  {n.body ? <div class="muted small">{n.body}</div> : null}
                  <div class="muted small">{fmt.relative(n.created_at)}</div>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}

function UserMenu({ user }: { user: Me }) {
  const choice = useStore(theme);
  const [pending, setPending] = useState<'one' | 'all' | null>(null);
  const [error, setError] = useState<Parameters<typeof ErrorAlert>[0]['error']>(null);
  const out = async (everywhere: boolean) => {
    setPending(everywhere ? 'all' : 'one');
    const r = await signOut(everywhere);
    setPending(null);
    if (r) setError(r);
    else navigate(`/sign-in?signed_out=${everywhere ? 'everywhere' : '1'}`, true);
  };
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, open, () => setOpen(false));
  return (
    <div class="user-menu" ref={ref}>
      <Button variant="ghost" aria-expanded={open} aria-label={t('user.menu', { name: user.name })} onClick={() => setOpen(!open)}>
        <Icon name="user" />
        <span class="hide-narrow">{user.name}</span>
      </Button>
      {open ? (
        <div class="popover" role="region" aria-label={t('user.menu', { name: user.name })}>
          <p class="muted small">{user.email}</p>
          <Field id="theme" label={t('theme.label')}>
            <select id="theme" value={choice} onChange={(e) => setTheme((e.currentTarget.value as ThemeChoice))}>
              <option value="system">{t('theme.system')}</option>
              <option value="light">{t('theme.light')}</option>
              <option value="dark">{t('theme.dark')}</option>
            </select>
          </Field>
          <ErrorAlert error={error} />
          <div class="btn-row">
            <Button pending={pending === 'one'} onClick={() => out(false)}>{t('user.signOut')}</Button>
            <Button pending={pending === 'all'} onClick={() => out(true)}>{t('user.signOutEverywhere')}</Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** Opens over the page when the session ends: signing in again keeps the page and its input. */
function SessionExpiredDialog({ user }: { user: Me }) {
  const open = useStore(expired);
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!password) return setError(t('signIn.passwordRequired'));
    setPending(true);
    const r = await signIn(user.email, password);
    setPending(false);
    if (r) setError(r.status === 401 ? t('signIn.failed') : r.error.message);
    else {
      setPassword('');
      setError(undefined);
    }
  };
  return (
    <Dialog open={open} title={t('expired.title')} required>
      <p>{t('expired.body')}</p>
      <form onSubmit={submit} noValidate>
        <p><strong>{user.email}</strong></p>
        <Field id="expired-password" label={t('signIn.password')} error={error}>
          <input id="expired-password" type="password" autocomplete="current-password" value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={!!error || undefined}
            aria-describedby={error ? 'expired-password-error' : undefined} />
        </Field>
        <div class="btn-row">
          <Button type="submit" variant="primary" pending={pending}>{t('signIn.submit')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
