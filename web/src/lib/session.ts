// Who is signed in. `me` is undefined while the first /auth/me is in flight, null when nobody is.
// `expired` opens the sign-in dialog over the current page (see lib/api.ts).
import type { components } from '../api/schema';
import { store, useStore } from './store';

export type Me = components['schemas']['Me'];
export type Permission = components['schemas']['Permission'];

export const me = store<Me | null | undefined>(undefined);
export const expired = store(false);

export function sessionExpired(): void {
  if (me.get()) expired.set(true);
}

export function useMe(): Me | null | undefined {
  return useStore(me);
}

/** Whether the signed-in user holds `perm` (effective permissions, inherited included). */
export function can(user: Me | null | undefined, perm: Permission): boolean {
  return !!user && (user.permissions.includes(perm) || (user.permissions as string[]).includes('*'));
}

/** Reviewers and admins get the workspace; everyone else the onboarding page. */
export function isStaff(user: Me | null | undefined): boolean {
  return can(user, 'profiles.read');
}
