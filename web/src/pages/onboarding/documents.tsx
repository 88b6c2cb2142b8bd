// The documents stage: one card per document type with its status, the reviewer's reason, and an
// upload control (a labelled file button plus a drop zone). Type and size are checked before
// anything is sent (the type from the file's first bytes, as the server detects it), and each
// upload shows its own progress bar (XMLHttpRequest: fetch cannot report upload progress).
import { useRef, useState } from 'preact/hooks';
import type { components } from '../../api/schema';
import { CSRF_COOKIE, CSRF_HEADER, readCookie, type ApiError, type Failure } from '../../api/client';
import { t } from '../../i18n';
import { api, attempt, errorText } from '../../lib/api';
import { bytes, dateTime, number } from '../../lib/format';
import { sessionExpired } from '../../lib/session';
import { Button, Empty, ErrorAlert, ErrorSummary, Icon, ProgressBar, StatusBadge, toast, type FieldError } from '../../ui';
import type { ProfileView } from './details';

export type DocumentType = components['schemas']['DocumentType'];
export type Doc = components['schemas']['Document'];

const MIME_NAMES: Record<string, string> = {
  'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/gif': 'GIF', 'image/webp': 'WebP',
};
const mimeName = (m: string) => MIME_NAMES[m] ?? m;
const typesText = (dt: DocumentType) => new Intl.ListFormat(document.documentElement.lang || 'en', { type: 'disjunction' })
  .format(dt.allowed_types.map(mimeName));

/** The type of a file from its first bytes (the server ignores the browser's guess too). */
async function sniff(file: File): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const starts = (...b: number[]) => b.every((x, i) => head[i] === x);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45) return 'image/webp';
  return file.type || 'application/octet-stream';
}

/** Whether a document of this type may be uploaded now (docs/openapi.yaml, uploadMyDocument). */
export function canUpload(p: ProfileView, current: Doc | undefined): boolean {
  if (p.employment_status !== 'onboarding' || p.stage !== 'documents') return false;
  if (current?.status === 'approved') return false;
  if (p.status === 'submitted') return current?.status === 'rejected';
  return true;
}

interface Upload { name: string; loaded: number; total: number }

function send(type: string, file: File, onProgress: (loaded: number, total: number) => void): Promise<{ ok: true; data: Doc } | { ok: false; error: ApiError; status: number }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/profiles/me/documents');
    xhr.withCredentials = true;
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) xhr.setRequestHeader(CSRF_HEADER, csrf);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 201) return resolve({ ok: true, data: body as Doc });
      if (xhr.status === 401) sessionExpired();
      const env = (body as { error?: ApiError } | null)?.error;
      resolve({
        ok: false,
        status: xhr.status,
        error: env ?? { code: `http_${xhr.status}`, message: xhr.statusText, details: null, request_id: xhr.getResponseHeader('X-Request-Id') ?? '' },
      });
    };
    const offline = () => resolve({ ok: false, status: 0, error: { code: 'http_0', message: t('app.offline'), details: null, request_id: '' } });
    xhr.onerror = offline;
    xhr.onabort = offline;
    const form = new FormData();
    form.append('type', type);
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

export const fileInputId = (code: string) => `doc-${code}`;

function DocCard({ profile, type, doc, onUploaded }: { profile: ProfileView; type: DocumentType; doc: Doc | undefined; onUploaded: () => void }) {
  const [upload, setUpload] = useState<Upload | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [over, setOver] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const busy = useRef(false);
  const allowed = canUpload(profile, doc);
  const id = fileInputId(type.code);

  const take = async (file: File) => {
    if (busy.current) return; // one at a time per card: never sent twice
    busy.current = true;
    try {
      await takeChecked(file);
    } finally {
      busy.current = false;
      if (inputRef.current) inputRef.current.value = ''; // the same file can be picked again
    }
  };

  const takeChecked = async (file: File) => {
    setError(null);
    setFailure(null);
    if (file.size === 0) return setError(t('onboarding.docs.empty', { name: file.name }));
    if (file.size > type.max_bytes) {
      // Rounded sizes can look equal ("10 MB; at most 10 MB"): then give the exact bytes.
      const [size, max] = bytes(file.size) === bytes(type.max_bytes)
        ? [t('onboarding.docs.bytesExact', { n: number(file.size) }), t('onboarding.docs.bytesExact', { n: number(type.max_bytes) })] : [bytes(file.size), bytes(type.max_bytes)];
      return setError(t('onboarding.docs.tooLarge', { name: file.name, size, type: type.name, max }));
    }
    const mime = await sniff(file);
    if (!type.allowed_types.includes(mime)) return setError(t('onboarding.docs.wrongType', { name: file.name, types: typesText(type) }));
    setUpload({ name: file.name, loaded: 0, total: file.size });
    const r = await send(type.code, file, (loaded, total) => setUpload({ name: file.name, loaded, total }));
    setUpload(null);
    if (r.ok) {
      toast(t('onboarding.docs.uploaded', { name: r.data.filename }), 'ok');
      onUploaded();
    } else if (r.status === 413 || r.status === 415 || (r.status === 422 && (r.error.details as { field?: string } | null)?.field === 'file')) {
      setError(errorText(r.error));
    } else {
      setFailure(r.error);
    }
  };

  const status = doc?.status ?? null;
  return (
    <li class={`card ob-doc ${error ? 'field-error' : ''}`} aria-labelledby={`${id}-name`}>
      <div class="ob-doc-head">
        <h3 id={`${id}-name`}>{type.name}</h3>
        <span class="label">{type.required ? t('onboarding.docs.required') : t('onboarding.docs.optional')}</span>
        {status ? <StatusBadge status={status} /> : <span class="badge tone-neutral"><span class="dot" aria-hidden="true" />{t('onboarding.docs.status.none')}</span>}
      </div>
      {doc ? (
        <p class="ob-doc-file">
          <Icon name="file" />
          <span>{t('onboarding.docs.file', { name: doc.filename, size: bytes(doc.size), when: dateTime(doc.uploaded_at) })}</span>
          <a href={`/api/v1/documents/${doc.id}/content`} download={doc.filename} aria-label={t('onboarding.docs.download', { name: doc.filename })}>
            <Icon name="download" />
          </a>
        </p>
      ) : null}
      {doc?.status === 'rejected' && doc.review_reason ? (
        <div class="alert alert-danger"><Icon name="alert" /><p>{t('onboarding.reason', { reason: doc.review_reason })}</p></div>
      ) : null}
      {doc?.status === 'approved' ? <p class="muted small">{t('onboarding.docs.locked')}</p> : null}
      {allowed ? (
        <div
          class={`dropzone ob-drop ${over ? 'over' : ''}`}
          onDragOver={(e) => { e.preventDefault(); setOver(true); }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            const files = e.dataTransfer?.files;
            if (!files || !files.length) return;
            if (files.length > 1) return setError(t('onboarding.docs.oneFile'));
            void take(files[0]!);
          }}
          data-testid={`drop-${type.code}`}
        >
          <p class="hint" id={`${id}-hint`}>{t('onboarding.docs.accepts', { types: typesText(type), size: bytes(type.max_bytes) })}</p>
          {error ? <p class="error-text" id={`${id}-error`} role="alert"><span class="visually-hidden">{t('onboarding.errorPrefix')}</span>{error}</p> : null}
          <div class="ob-drop-row">
            <input
              ref={inputRef}
              id={id}
              type="file"
              class="visually-hidden ob-file"
              accept={type.allowed_types.join(',')}
              disabled={!!upload}
              aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}
              aria-invalid={!!error || undefined}
              onChange={(e) => {
                const f = e.currentTarget.files?.[0];
                if (f) void take(f);
              }}
            />
            <label for={id} class={`btn btn-secondary ${upload ? 'is-disabled' : ''}`}>
              <Icon name="upload" />
              <span aria-hidden="true">{doc ? t('onboarding.docs.replace') : t('onboarding.docs.chooseShort')}</span>
              <span class="visually-hidden">{doc ? t('onboarding.docs.replaceFor', { type: type.name }) : t('onboarding.docs.choose', { type: type.name })}</span>
            </label>
            <span class="muted">{t('onboarding.docs.drop')}</span>
          </div>
          {upload ? (
            <div class="ob-upload" aria-live="polite">
              <p class="small">{t('onboarding.docs.uploading', { name: upload.name })}</p>
              <ProgressBar value={upload.loaded} max={upload.total || 1} label={t('onboarding.docs.uploading', { name: upload.name })} />
            </div>
          ) : null}
        </div>
      ) : null}
      {failure ? <ErrorAlert error={failure} /> : null}
    </li>
  );
}

export function Documents({ profile, types, onChanged, reload }: {
  profile: ProfileView; types: DocumentType[]; onChanged: (p: ProfileView) => void; reload: () => void;
}) {
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);
  const busy = useRef(false); // synchronous guard: a double click never sends twice
  const byType = new Map(profile.documents.map((d) => [d.type, d]));
  const canSubmit = profile.employment_status === 'onboarding' && profile.stage === 'documents' &&
    (profile.status === 'draft' || profile.status === 'rejected');

  const missingErrors = (codes: string[]) => codes.map((code) => {
    const dt = types.find((x) => x.code === code);
    const name = dt?.name ?? code;
    return {
      field: fileInputId(code),
      message: byType.get(code)?.status === 'rejected' ? t('onboarding.docs.rejectedMissing', { type: name }) : t('onboarding.docs.missing', { type: name }),
    };
  });

  const submit = async () => {
    if (busy.current) return;
    setFailure(null);
    const missing = types.filter((dt) => dt.required && (!byType.get(dt.code) || byType.get(dt.code)?.status === 'rejected')).map((dt) => dt.code);
    const found = missingErrors(missing);
    setErrors(found);
    if (found.length) return;
    busy.current = true;
    setPending(true);
    const r = await attempt(() => api.post('/api/v1/profiles/me/submit'));
    busy.current = false;
    setPending(false);
    if (r.ok) {
      onChanged(r.data);
      return;
    }
    const d = r.error.details as { field?: string; missing?: string[] } | null;
    if (r.status === 422 && d?.field === 'documents' && Array.isArray(d.missing)) setErrors(missingErrors(d.missing));
    else setFailure(r);
  };

  if (!types.length) return <Empty title={t('onboarding.docs.none')} body={t('onboarding.docs.noneBody')} />;
  return (
    <section aria-labelledby="ob-docs-title">
      <h2 id="ob-docs-title">{t('onboarding.docs.title')}</h2>
      {canSubmit ? <p>{t('onboarding.docs.intro')}</p> : null}
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      <ul class="ob-docs">
        {types.map((dt) => <DocCard key={dt.code} profile={profile} type={dt} doc={byType.get(dt.code)} onUploaded={() => { setErrors([]); reload(); }} />)}
      </ul>
      {canSubmit ? (
        <div class="btn-row">
          <Button variant="primary" pending={pending} onClick={() => void submit()}>{t('onboarding.docs.submit')}</Button>
        </div>
      ) : null}
    </section>
  );
}
