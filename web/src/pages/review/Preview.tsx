// A document shown in the page: the bytes fetched with the session cookie into a blob URL, an
// image in <img>, a PDF in a frame; anything else (HTML, SVG, ...) is never rendered, only
// offered for download. The blob's type is set here from the type detected on upload (only
// images and PDF get this far), so the frame can only ever show Chromium's PDF viewer, never a
// document with scripts. (A `sandbox` attribute would be nicer, but Chromium refuses to show a
// PDF in any sandboxed frame: it draws a broken-page icon instead.)
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { Button, Icon, Skeleton } from '../../ui';
import type { Doc } from './shared';

const IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const PDF = 'application/pdf';

export function canPreview(mime: string): boolean {
  return IMAGES.has(mime) || mime === PDF;
}

export function contentUrl(doc: Doc): string {
  return `/api/v1/documents/${doc.id}/content`;
}

export function Preview({ doc, title }: { doc: Doc; title: string }) {
  const [state, setState] = useState<{ url?: string; failed?: boolean }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!canPreview(doc.mime)) return;
    const ctrl = new AbortController();
    let url: string | undefined;
    setState({});
    fetch(contentUrl(doc), { credentials: 'same-origin', signal: ctrl.signal })
      .then(async (r) => {
        if (!r.ok) throw new Error(String(r.status));
        // The type we render is the one detected on upload, re-checked here, never the header's.
        const blob = new Blob([await r.arrayBuffer()], { type: doc.mime });
        url = URL.createObjectURL(blob);
        setState({ url });
      })
      .catch(() => {
        if (!ctrl.signal.aborted) setState({ failed: true });
      });
    return () => {
      ctrl.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [doc.id, tick]);

  if (!canPreview(doc.mime)) {
    return (
      <p class="alert alert-info preview-none">
        <Icon name="file" />
        <span>{t('review.doc.noPreview', { mime: doc.mime })}</span>
      </p>
    );
  }
  if (state.failed) {
    return (
      <div class="alert alert-danger" role="alert">
        <Icon name="alert" />
        <div>
          <p>{t('review.doc.previewFailed')}</p>
          <Button onClick={() => setTick((n) => n + 1)}>{t('app.retry')}</Button>
        </div>
      </div>
    );
  }
  if (!state.url) return <Skeleton rows={3} />;
  return IMAGES.has(doc.mime)
    ? <img class="preview" src={state.url} alt={title} />
    : <iframe class="preview" src={state.url} title={title} />;
}
