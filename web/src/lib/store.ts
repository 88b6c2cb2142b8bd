// A value that components can watch: the session, the live connection, the unread count.
import { useEffect, useReducer } from 'preact/hooks';

export interface Store<T> {
  get(): T;
  set(value: T): void;
  update(fn: (value: T) => T): void;
  subscribe(listener: () => void): () => void;
}

export function store<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      listeners.forEach((l) => l());
    },
    update(fn) {
      this.set(fn(value));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/** The store's value; re-renders the caller when it changes. */
export function useStore<T>(s: Store<T>): T {
  const [, force] = useReducer((n: number, _: void) => n + 1, 0);
  const seen = s.get();
  useEffect(() => {
    const off = s.subscribe(() => force(undefined));
    // A change between this render and the subscription (an early /auth/me answer) is not lost.
    if (!Object.is(s.get(), seen)) force(undefined);
    return off;
  }, [s]);
  return seen;
}
