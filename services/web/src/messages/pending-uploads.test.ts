// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MESSAGE_ATTACHMENTS_MAX, type MessageAttachment } from '@parley/contracts';
import { ApiError } from '../api/api-error';
import { usePendingUploads, type AttachmentUploader } from './pending-uploads';

afterEach(cleanup);

/** An uploader whose uploads the test drives: progress, success or failure, one file at a time. */
function controlledUploader() {
  const calls: { file: File; progress(sent: number, total: number): void; resolve(value: MessageAttachment): void; reject(error: unknown): void }[] = [];
  const upload = vi.fn<AttachmentUploader>(
    (file, onProgress) =>
      new Promise<MessageAttachment>((resolve, reject) => {
        calls.push({ file, progress: onProgress, resolve, reject });
      }),
  );
  return { upload, calls };
}

const attachment = (name: string): MessageAttachment => ({
  id: '20000000-0000-4000-8000-000000000001',
  name,
  kind: 'file',
  contentType: 'text/plain',
  size: 100,
  thumbnail: false,
});

const file = (name: string) => new File(['hello'], name, { type: 'text/plain' });

describe('files attached to the message being written', () => {
  it('reports progress as a fraction, then the uploaded attachment ready to send', async () => {
    const { upload, calls } = controlledUploader();
    const { result } = renderHook(() => usePendingUploads(upload));
    act(() => result.current.add([file('notes.txt')]));
    expect(result.current.uploads).toMatchObject([{ name: 'notes.txt', progress: 0 }]);
    expect(result.current.busy).toBe(true);
    expect(result.current.ready).toEqual([]);

    act(() => calls[0]!.progress(25, 100));
    expect(result.current.uploads[0]!.progress).toBe(0.25);
    act(() => calls[0]!.progress(100, 100));
    expect(result.current.uploads[0]!.progress).toBe(1);
    // All bytes sent is not yet uploaded: the server still has to accept the file.
    expect(result.current.busy).toBe(true);

    await act(async () => calls[0]!.resolve(attachment('notes.txt')));
    expect(result.current.uploads[0]).toMatchObject({ progress: 1, attachment: attachment('notes.txt') });
    expect(result.current.busy).toBe(false);
    expect(result.current.ready).toEqual([attachment('notes.txt')]);
  });

  it('keeps progress at zero when the total is unknown rather than dividing by it', () => {
    const { upload, calls } = controlledUploader();
    const { result } = renderHook(() => usePendingUploads(upload));
    act(() => result.current.add([file('a.txt')]));
    act(() => calls[0]!.progress(10, 0));
    expect(result.current.uploads[0]!.progress).toBe(0);
  });

  it('shows why a file was refused, no longer counts it as uploading, and never sends it', async () => {
    const { upload, calls } = controlledUploader();
    const { result } = renderHook(() => usePendingUploads(upload));
    act(() => result.current.add([file('big.bin'), file('ok.txt'), file('offline.txt')]));
    await act(async () => calls[0]!.reject(new ApiError('payload_too_large', 'too big', 413)));
    expect(result.current.uploads[0]!.error).toBe('That is too large to send.');
    await act(async () => calls[2]!.reject(new TypeError('network down')));
    expect(result.current.uploads[2]!.error).toBe('Something went wrong. Try again.');
    expect(result.current.busy).toBe(true);
    await act(async () => calls[1]!.resolve(attachment('ok.txt')));
    expect(result.current.busy).toBe(false);
    expect(result.current.ready).toEqual([attachment('ok.txt')]);
  });

  it(`takes at most ${MESSAGE_ATTACHMENTS_MAX} files per message, ignoring the rest`, () => {
    const { upload } = controlledUploader();
    const { result } = renderHook(() => usePendingUploads(upload));
    const many = Array.from({ length: MESSAGE_ATTACHMENTS_MAX + 2 }, (_, index) => file(`f${index}.txt`));
    act(() => result.current.add(many));
    expect(result.current.uploads).toHaveLength(MESSAGE_ATTACHMENTS_MAX);
    expect(upload).toHaveBeenCalledTimes(MESSAGE_ATTACHMENTS_MAX);
    act(() => result.current.add([file('one-more.txt')]));
    expect(upload).toHaveBeenCalledTimes(MESSAGE_ATTACHMENTS_MAX);
  });

  it('forgets a removed file, and progress arriving for it afterwards changes nothing', async () => {
    const { upload, calls } = controlledUploader();
    const { result } = renderHook(() => usePendingUploads(upload));
    act(() => result.current.add([file('gone.txt'), file('kept.txt')]));
    const [gone] = result.current.uploads;
    act(() => result.current.remove(gone!.key));
    act(() => calls[0]!.progress(50, 100));
    await act(async () => calls[0]!.resolve(attachment('gone.txt')));
    expect(result.current.uploads.map((item) => item.name)).toEqual(['kept.txt']);
    expect(result.current.ready).toEqual([]);

    act(() => result.current.clear());
    expect(result.current.uploads).toEqual([]);
    expect(result.current.busy).toBe(false);
  });

  it('does nothing without an uploader (attachments switched off)', () => {
    const { result } = renderHook(() => usePendingUploads(undefined));
    act(() => result.current.add([file('x.txt')]));
    expect(result.current.uploads).toEqual([]);
  });
});
