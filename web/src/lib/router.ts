// A small history router: the URL is the state of every view (filters included), so any view
// is a link someone can paste.
import { h, type AnchorHTMLAttributes, type ComponentChildren, type TargetedMouseEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();
const notify = () => listeners.forEach((l) => l());
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export interface Location {
  path: string;
  query: URLSearchParams;
  hash: string;
}

function current(): Location {
  return { path: location.pathname, query: new URLSearchParams(location.search), hash: location.hash };
}

/** Goes to `to` (a path with query), adding a history entry unless `replace`. */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search + location.hash) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  notify();
  if (!replace) window.scrollTo(0, 0);
}

/** The current location; re-renders the caller when it changes. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

/** `/profiles/:id` against `/profiles/7` -> { id: '7' }; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i]!;
    const got = s[i]!;
    if (want.startsWith(':')) out[want.slice(1)] = decodeURIComponent(got);
    else if (want !== got) return null;
  }
  return out;
}

/** The query string as state: [values, set] where set merges (empty values are dropped) and
 * replaces the history entry, so filters do not flood the back button. */
export function useQueryState(): [URLSearchParams, (patch: Record<string, string | null | undefined>) => void] {
  const loc = useLocation();
  const set = (patch: Record<string, string | null | undefined>) => {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === null || v === '') q.delete(k);
      else q.set(k, v);
    }
    const qs = q.toString();
    navigate(location.pathname + (qs ? `?${qs}` : ''), true);
  };
  return [loc.query, set];
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An <a> that navigates without reloading (plain clicks only: new-tab clicks work as links). */
export function Link(props: LinkProps) {
  const { href, onClick, ...rest } = props;
  return h('a', {
    ...rest,
    href,
    onClick: (e: TargetedMouseEvent<HTMLAnchorElement>) => {
      if (onClick) (onClick as (ev: typeof e) => void)(e);
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(href);
    },
  });
}
