// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttachmentLinks, MessageAttachment } from '@parley/contracts';
import { AttachmentList, formatSize } from './attachment-list';
import type { ChatMessage } from './chat-message';
import { MessageRow } from './message-row';

afterEach(cleanup);

const ROOM = '00000000-0000-4000-8000-000000000001';
const image: MessageAttachment = { id: '00000000-0000-4000-8000-0000000000a1', name: 'cat.jpg', kind: 'image', contentType: 'image/jpeg', size: 2048, width: 800, height: 600, thumbnail: true };
const file: MessageAttachment = { id: '00000000-0000-4000-8000-0000000000a2', name: 'notes.html', kind: 'file', contentType: 'application/octet-stream', size: 3_500_000, thumbnail: false };
const granted = (id: string): AttachmentLinks => ({ url: `/content/${id}?variant=original`, thumbnailUrl: `/content/${id}?variant=thumbnail`, expiresAt: '2030-01-01T00:00:00.000Z' });

describe('attachments in a message', () => {
  it('shows an image by its thumbnail URL and a file only as a download link, never as a page', async () => {
    const links = vi.fn(async (_room: string, id: string) => granted(id));
    render(<AttachmentList roomId={ROOM} attachments={[image, file]} links={links} />);
    const thumbnail = await screen.findByTestId('attachment-thumbnail');
    expect(thumbnail.getAttribute('src')).toBe(`/content/${image.id}?variant=thumbnail`);
    expect(thumbnail.getAttribute('alt')).toBe('cat.jpg');
    expect(screen.getByTestId('attachment-download').textContent).toBe('notes.html');
    expect(screen.getByText('3.3 MB')).toBeTruthy();
    expect(document.querySelector('iframe, object, embed')).toBeNull();
    expect(links).toHaveBeenCalledTimes(1);
  });

  it('opens the original in a lightbox with fresh links', async () => {
    const links = vi.fn(async (_room: string, id: string) => granted(id));
    render(<AttachmentList roomId={ROOM} attachments={[image]} links={links} />);
    await screen.findByTestId('attachment-thumbnail');
    await userEvent.click(screen.getByRole('button', { name: 'Open image cat.jpg' }));
    const original = await screen.findByTestId('lightbox-image');
    expect(original.getAttribute('src')).toBe(`/content/${image.id}?variant=original`);
    expect(links).toHaveBeenCalledTimes(2);
  });

  it('says so when the links cannot be had (not a member any more, or offline)', async () => {
    render(<AttachmentList roomId={ROOM} attachments={[image]} links={() => Promise.reject(new Error('403'))} />);
    expect(await screen.findByText('Image unavailable')).toBeTruthy();
  });

  it('shows no files of a deleted message', () => {
    const message: ChatMessage = {
      key: 'k',
      id: '1',
      seq: 1,
      clientMsgId: '10000000-0000-4000-8000-000000000001',
      roomId: ROOM,
      senderId: '00000000-0000-4000-8000-00000000000b',
      body: '',
      createdAt: '2026-05-01T10:00:00.000Z',
      state: 'sent',
      deletedAt: '2026-05-01T10:01:00.000Z',
      attachments: [image, file],
    };
    const links = vi.fn(async (_room: string, id: string) => granted(id));
    render(<MessageRow message={message} own={false} continued={false} senderName="Bea" readByOthersUpTo={null} onRetry={() => undefined} onOpenProfile={() => undefined} attachmentLinks={links} />);
    expect(screen.getByTestId('message-deleted')).toBeTruthy();
    expect(screen.queryByTestId('attachment-download')).toBeNull();
    expect(links).not.toHaveBeenCalled();
  });

  it('formats sizes for people', () => {
    expect([formatSize(900), formatSize(2048), formatSize(5 * 1024 * 1024)]).toEqual(['900 B', '2 KB', '5.0 MB']);
  });
});
