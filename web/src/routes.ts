// Every page: its path, who may see it, where it sits in the navigation, and its module (loaded
// when first visited, so the sign-in page carries none of the workspace's code).
import type { ComponentType } from 'preact';
import type { MessageKey } from './i18n';
import type { Permission } from './lib/session';

export interface PageProps {
  params: Record<string, string>;
}

export interface RouteDef {
  path: string;
  load: () => Promise<{ default: ComponentType<PageProps> }>;
  /** Needed to see the page; none: any signed-in user. */
  perm?: Permission;
  /** Shown in the left navigation under this label. */
  nav?: MessageKey;
  /** Pages for people who are not signed in. */
  public?: boolean;
}

export const routes: RouteDef[] = [
  { path: '/sign-in', load: () => import('./pages/SignIn'), public: true },
  { path: '/invite', load: () => import('./pages/SetPassword'), public: true },
  { path: '/reset-password', load: () => import('./pages/SetPassword'), public: true },
  { path: '/onboarding', load: () => import('./pages/Onboarding'), perm: 'profile.self' },
  { path: '/queue', load: () => import('./pages/Queue'), perm: 'profiles.read', nav: 'nav.queue' },
  { path: '/profiles/:id', load: () => import('./pages/Profile'), perm: 'profiles.read' },
  { path: '/dashboard', load: () => import('./pages/Dashboard'), perm: 'profiles.read', nav: 'nav.dashboard' },
  { path: '/bulk', load: () => import('./pages/Bulk'), perm: 'bulk.run', nav: 'nav.bulk' },
  { path: '/bulk/:id', load: () => import('./pages/BulkJob'), perm: 'bulk.run' },
  { path: '/reports', load: () => import('./pages/Reports'), perm: 'reports.read', nav: 'nav.reports' },
  { path: '/audit', load: () => import('./pages/Audit'), perm: 'audit.read', nav: 'nav.audit' },
  { path: '/email', load: () => import('./pages/Email'), perm: 'email.manage', nav: 'nav.email' },
  { path: '/people', load: () => import('./pages/People'), perm: 'users.read', nav: 'nav.people' },
  { path: '/roles', load: () => import('./pages/Roles'), perm: 'users.read', nav: 'nav.roles' },
  { path: '/system', load: () => import('./pages/System'), perm: 'jobs.manage', nav: 'nav.system' },
];
