import { useEffect, useState } from 'react';
import type { MessageAttachment } from '@parley/contracts';
import { formatSize, type AttachmentLinkSource } from '../messages/attachment-list';

export interface SearchHitFilesProps {
  roomId: string;
  attachments: MessageAttachment[];
  links: AttachmentLinkSource;
}

/**
 * The files of a search hit, inside the hit's button (phrasing content only): a small thumbnail
 * per image, a name chip per file. Opening the hit shows the message with its files in full;
 * thumbnails come through the same short-lived signed URLs as the room's, asked for when shown.
 */
export function SearchHitFiles({ roomId, attachments, links }: SearchHitFilesProps) {
  return (
    <span className="search-hit-files" data-testid="search-hit-files">
      {attachments.map((attachment) =>
        attachment.kind === 'image' ? (
          <HitThumbnail key={attachment.id} roomId={roomId} attachment={attachment} links={links} />
        ) : (
          <span key={attachment.id} className="search-hit-file" title={attachment.name}>
            <span className="search-hit-file-name" dir="auto">
              {attachment.name}
            </span>{' '}
            <span className="attachment-size">{formatSize(attachment.size)}</span>
          </span>
        ),
      )}
    </span>
  );
}

function HitThumbnail({ roomId, attachment, links }: { roomId: string; attachment: MessageAttachment; links: AttachmentLinkSource }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    links(roomId, attachment.id).then(
      (answer) => live && setUrl(answer.thumbnailUrl ?? answer.url),
      // Without a link the chip keeps the name only.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [roomId, attachment.id, links]);
  return (
    <span className="search-hit-file search-hit-image" title={attachment.name}>
      {url && <img src={url} alt="" loading="lazy" data-testid="search-hit-thumbnail" />}
      <span className="search-hit-file-name" dir="auto">
        {attachment.name}
      </span>
    </span>
  );
}
