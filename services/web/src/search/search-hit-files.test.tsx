// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttachmentLinks, MessageAttachment } from '@parley/contracts';
import { SearchHitFiles } from './search-hit-files';

afterEach(cleanup);

const ROOM = '00000000-0000-4000-8000-000000000001';
const photo: MessageAttachment = { id: '00000000-0000-4000-8000-0000000000a1', name: 'harbour.png', kind: 'image', contentType: 'image/png', size: 2048, width: 64, height: 32, thumbnail: true };
const minutes: MessageAttachment = { id: '00000000-0000-4000-8000-0000000000a2', name: 'minutes <b>v2</b>.pdf', kind: 'file', contentType: 'application/pdf', size: 3_500_000, thumbnail: false };
const granted = (id: string): AttachmentLinks => ({ url: `/content/${id}?variant=original`, thumbnailUrl: `/content/${id}?variant=thumbnail`, expiresAt: '2030-01-01T00:00:00.000Z' });

describe('files of a search hit', () => {
  it('shows an image as a small thumbnail through its signed link and a file as a name chip with its size', async () => {
    const links = vi.fn(async (_room: string, id: string) => granted(id));
    render(<SearchHitFiles roomId={ROOM} attachments={[photo, minutes]} links={links} />);
    const thumbnail = await screen.findByTestId('search-hit-thumbnail');
    expect(thumbnail.getAttribute('src')).toBe(`/content/${photo.id}?variant=thumbnail`);
    expect(screen.getByText('harbour.png')).toBeTruthy();
    // A file name is text, never markup.
    expect(screen.getByText('minutes <b>v2</b>.pdf')).toBeTruthy();
    expect(document.querySelector('b')).toBeNull();
    expect(screen.getByText('3.3 MB')).toBeTruthy();
    // Links are asked for the images only (a file is opened with the hit), in the hit's room.
    expect(links.mock.calls).toEqual([[ROOM, photo.id]]);
    // Phrasing content only: the chips sit inside the hit's button.
    expect(document.querySelector('[data-testid="search-hit-files"] button, [data-testid="search-hit-files"] div, [data-testid="search-hit-files"] a')).toBeNull();
  });

  it('keeps the name when no link can be had (left the room since)', async () => {
    const links = vi.fn(() => Promise.reject(new Error('403')));
    render(<SearchHitFiles roomId={ROOM} attachments={[photo]} links={links} />);
    await vi.waitFor(() => expect(links).toHaveBeenCalled());
    expect(screen.getByText('harbour.png')).toBeTruthy();
    expect(screen.queryByTestId('search-hit-thumbnail')).toBeNull();
  });
});
