import { errorBodySchema, uploadAttachmentResponseSchema, type MessageAttachment } from '@parley/contracts';
import { ApiError } from './api-error';

export interface UploadRequest {
  url: string;
  token: string | null;
  file: Blob;
  /** Bytes sent so far and the total, as the browser reports them. */
  onProgress?(sent: number, total: number): void;
}

/**
 * One file to `POST /api/v1/rooms/:id/attachments`, its bytes as the body. XMLHttpRequest rather
 * than fetch: it reports upload progress. The server decides the file's type from its bytes.
 */
export function uploadWithProgress(request: UploadRequest): Promise<MessageAttachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', request.url);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    if (request.token) xhr.setRequestHeader('authorization', `Bearer ${request.token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) request.onProgress?.(event.loaded, event.total);
    };
    xhr.onerror = () => reject(new ApiError(navigator.onLine === false ? 'offline' : 'network', 'The upload did not reach the server'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) {
        const parsed = uploadAttachmentResponseSchema.safeParse(body);
        if (parsed.success) resolve(parsed.data.attachment);
        else reject(new ApiError('internal', 'The server sent an answer this client does not understand', xhr.status));
        return;
      }
      const error = errorBodySchema.safeParse(body);
      if (error.success) reject(new ApiError(error.data.error.code, error.data.error.message, xhr.status, error.data.error.details ?? []));
      else reject(new ApiError(xhr.status === 413 ? 'payload_too_large' : 'internal', `The server answered ${xhr.status}`, xhr.status));
    };
    xhr.send(request.file);
  });
}
