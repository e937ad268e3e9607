import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { AttachmentLinks, MessageAttachment } from '@parley/contracts';
import { Dialog } from '../ui/dialog';

/** Fetches signed URLs of a room's file (they expire within minutes: asked for when shown). */
export type AttachmentLinkSource = (roomId: string, attachmentId: string) => Promise<AttachmentLinks>;

export interface AttachmentListProps {
  roomId: string;
  attachments: MessageAttachment[];
  links: AttachmentLinkSource;
}

/**
 * A message's files: images as thumbnails that open a lightbox, everything else as a download
 * link. Files are never rendered as documents here: the server serves them sandboxed, and
 * non-images only as downloads.
 */
export function AttachmentList({ roomId, attachments, links }: AttachmentListProps) {
  return (
    <ul className="message-attachments">
      {attachments.map((attachment) => (
        <li key={attachment.id}>
          {attachment.kind === 'image' ? <ImageAttachment roomId={roomId} attachment={attachment} links={links} /> : <FileAttachment roomId={roomId} attachment={attachment} links={links} />}
        </li>
      ))}
    </ul>
  );
}

function ImageAttachment({ roomId, attachment, links }: { roomId: string; attachment: MessageAttachment; links: AttachmentLinkSource }) {
  const [granted, setGranted] = useState<AttachmentLinks | null>(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let live = true;
    links(roomId, attachment.id).then(
      (answer) => live && setGranted(answer),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [roomId, attachment.id, links]);
  const ratio = attachment.width && attachment.height ? `${attachment.width} / ${attachment.height}` : undefined;
  return (
    <>
      <button type="button" className="attachment-image" style={ratio ? { aspectRatio: ratio } : undefined} onClick={() => setOpen(true)} disabled={!granted} aria-label={`Open image ${attachment.name}`}>
        {granted ? <img src={granted.thumbnailUrl ?? granted.url} alt={attachment.name} loading="lazy" data-testid="attachment-thumbnail" /> : <span>{failed ? 'Image unavailable' : 'Loading image…'}</span>}
      </button>
      {open && <Lightbox roomId={roomId} attachment={attachment} links={links} onClose={() => setOpen(false)} />}
    </>
  );
}

function Lightbox({ roomId, attachment, links, onClose }: { roomId: string; attachment: MessageAttachment; links: AttachmentLinkSource; onClose(): void }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // Fresh links: the thumbnail's may have expired while the message was on screen.
    links(roomId, attachment.id).then(
      (answer) => live && setUrl(answer.url),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [roomId, attachment.id, links]);
  // Out of the message list: its rows are positioned (virtualized) and would clip the dialog.
  return createPortal(
    <Dialog title={attachment.name} onClose={onClose} wide>
      <div className="lightbox">{url ? <img src={url} alt={attachment.name} data-testid="lightbox-image" /> : <p>Loading…</p>}</div>
    </Dialog>,
    document.body,
  );
}

function FileAttachment({ roomId, attachment, links }: { roomId: string; attachment: MessageAttachment; links: AttachmentLinkSource }) {
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    try {
      const { url } = await links(roomId, attachment.id);
      // Served with `Content-Disposition: attachment`: the page stays, the file is saved.
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.rel = 'noopener';
      anchor.download = attachment.name;
      anchor.click();
      setError(null);
    } catch {
      setError('Cannot download it right now.');
    }
  };
  return (
    <span className="attachment-file">
      <button type="button" className="link-like" onClick={() => void download()} data-testid="attachment-download">
        {attachment.name}
      </button>{' '}
      <span className="attachment-size">{formatSize(attachment.size)}</span>
      {error && <span role="alert"> {error}</span>}
    </span>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
