// The one WebSocket of this tab (GET /api/v1/ws, the session cookie authenticates it). It
// resumes with `after=<last id seen>` so nothing is missed while it was down, reconnects with a
// growing, jittered delay, and says so: `status` drives the "Reconnecting…" banner.
//
// Close codes (docs/openapi.yaml, realtime): 4001 signed out or expired -> the sign-in dialog;
// 4003 suspended -> signed out; 4002 roles changed -> reconnect at once (new channels) and
// reload who we are; anything else -> reconnect.
import { store } from './store';
import { expired, me } from './session';

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';
export const status = store<LiveStatus>('idle');
/** Unread notifications: set from the API, raised by each live notification. */
export const unread = store(0);

export interface NotificationFrame {
  type: 'notification';
  id: number;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown> & { profile_id?: number };
  created_at: string;
}
export interface BulkProgressFrame {
  type: 'bulk_progress';
  job_id: number;
  done: number;
  total: number;
  succeeded: number;
  failed: number;
}
export interface ProfileChange {
  profile_id: number;
  event: 'stage' | 'document_uploaded' | 'document_reviewed';
  /** Where the profile is now (stage events; null for document events). */
  stage: 'details' | 'documents' | 'final' | 'completed' | null;
  status: 'draft' | 'submitted' | 'rejected' | null;
  document_id: number | null;
  decision: string | null;
  actor_id: number | null;
  actor_name: string | null;
}
/** Reviewers: the profiles a commit moved (never replayed); `more` > 0 means reload. */
export interface ProfilesChangedFrame {
  type: 'profiles_changed';
  changes: ProfileChange[];
  more: number;
}
export interface DashboardFrame {
  type: 'dashboard';
  [key: string]: unknown;
}
type Frame = NotificationFrame | BulkProgressFrame | DashboardFrame | ProfilesChangedFrame | { type: string; [key: string]: unknown };

type Handler<F> = (frame: F, replayed: boolean) => void;
const handlers = {
  notification: new Set<Handler<NotificationFrame>>(),
  bulk_progress: new Set<Handler<BulkProgressFrame>>(),
  dashboard: new Set<Handler<DashboardFrame>>(),
  profiles_changed: new Set<Handler<ProfilesChangedFrame>>(),
  reconnected: new Set<() => void>(),
};

export function onNotification(fn: Handler<NotificationFrame>): () => void {
  handlers.notification.add(fn);
  return () => void handlers.notification.delete(fn);
}
export function onBulkProgress(fn: Handler<BulkProgressFrame>): () => void {
  handlers.bulk_progress.add(fn);
  return () => void handlers.bulk_progress.delete(fn);
}
export function onDashboard(fn: Handler<DashboardFrame>): () => void {
  handlers.dashboard.add(fn);
  return () => void handlers.dashboard.delete(fn);
}
export function onProfilesChanged(fn: Handler<ProfilesChangedFrame>): () => void {
  handlers.profiles_changed.add(fn);
  return () => void handlers.profiles_changed.delete(fn);
}
/** Called after a reconnect's replay: views that also hold API data refresh it. */
export function onReconnected(fn: () => void): () => void {
  handlers.reconnected.add(fn);
  return () => void handlers.reconnected.delete(fn);
}

let socket: WebSocket | null = null;
let lastId: number | null = null;
let attempts = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let pingTimer: ReturnType<typeof setInterval> | undefined;
let replaying = false;
let wanted = false;
let hadConnection = false;

export function startLive(): void {
  wanted = true;
  if (!socket) connect();
}

/** Closes the socket; `forget` drops the last id seen (another user may sign in next). */
export function stopLive(forget = true): void {
  wanted = false;
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  const s = socket;
  socket = null;
  s?.close(1000);
  if (forget) {
    lastId = null;
    hadConnection = false;
  }
  status.set('idle');
}

/** For tests and the "reconnect now" control: drops the socket as a network failure would. */
export function dropLive(): void {
  socket?.close(4000);
}

function url(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const after = lastId !== null ? `?after=${lastId}` : '';
  return `${scheme}//${location.host}/api/v1/ws${after}`;
}

function connect(): void {
  status.set(hadConnection ? 'reconnecting' : 'connecting');
  const s = new WebSocket(url());
  socket = s;
  replaying = lastId !== null;
  s.onmessage = (ev) => {
    if (socket !== s) return;
    let frame: Frame;
    try {
      frame = JSON.parse(String(ev.data)) as Frame;
    } catch {
      return;
    }
    dispatch(frame);
  };
  s.onclose = (ev) => {
    if (socket !== s) return;
    socket = null;
    clearInterval(pingTimer);
    if (!wanted) return;
    if (ev.code === 4001) {
      status.set('reconnecting');
      expired.set(true);
      // Reconnects once signed in again (lib/auth.ts restarts it).
      wanted = false;
      return;
    }
    if (ev.code === 4003) {
      wanted = false;
      me.set(null);
      status.set('idle');
      return;
    }
    status.set('reconnecting');
    const delay = ev.code === 4002 ? 0 : Math.min(10_000, 500 * 2 ** attempts) * (0.75 + Math.random() / 2);
    attempts++;
    retryTimer = setTimeout(connect, delay);
  };
}

function dispatch(frame: Frame): void {
  switch (frame.type) {
    case 'hello': {
      attempts = 0;
      const f = frame as { last_id?: number; heartbeat_s?: number };
      if (lastId === null) lastId = f.last_id ?? 0;
      hadConnection = true;
      clearInterval(pingTimer);
      const beat = Math.max(5, (f.heartbeat_s ?? 25)) * 1000;
      pingTimer = setInterval(() => socket?.send('{"type":"ping"}'), beat);
      if (!replaying) status.set('open');
      break;
    }
    case 'replay_done':
      replaying = false;
      status.set('open');
      handlers.reconnected.forEach((fn) => fn());
      break;
    case 'notification': {
      const n = frame as NotificationFrame;
      if (lastId !== null && n.id <= lastId) return; // already seen
      lastId = n.id;
      unread.update((u) => u + 1);
      handlers.notification.forEach((fn) => fn(n, replaying));
      break;
    }
    case 'bulk_progress':
      handlers.bulk_progress.forEach((fn) => fn(frame as BulkProgressFrame, false));
      break;
    case 'dashboard':
      handlers.dashboard.forEach((fn) => fn(frame as DashboardFrame, false));
      break;
    case 'profiles_changed':
      handlers.profiles_changed.forEach((fn) => fn(frame as ProfilesChangedFrame, false));
      break;
    default:
      break;
  }
}
