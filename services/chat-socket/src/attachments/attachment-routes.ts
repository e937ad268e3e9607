import { pipeline } from 'node:stream/promises';
import { Router, type RequestHandler } from 'express';
import { roomAttachmentParamsSchema, roomIdParamsSchema, signedDownloadQuerySchema, uploadAttachmentQuerySchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseParams, parseQuery } from '@parley/http';
import type { AttachmentService } from './attachment-service.js';
import { readUploadBody } from './upload-body.js';

/**
 * `POST /api/v1/rooms/:id/attachments?name=` (the body is the file) and
 * `GET /api/v1/rooms/:id/attachments/:attachmentId/links` (signed URLs); members only.
 */
export function createAttachmentRouter(attachments: AttachmentService, maxBytes: number): Router {
  const router = Router();

  router.post('/:id/attachments', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const { name } = parseQuery(uploadAttachmentQuerySchema, req.query);
    const bytes = await readUploadBody(req, res, maxBytes);
    const attachment = await attachments.upload(principalOf(res).userId, id, name, bytes);
    res.status(201).json({ attachment });
  });

  router.get('/:id/attachments/:attachmentId/links', async (req, res) => {
    const { id, attachmentId } = parseParams(roomAttachmentParamsSchema, req.params);
    res.set('cache-control', 'no-store').json(await attachments.links(principalOf(res).userId, id, attachmentId));
  });

  return router;
}

/**
 * `GET /api/v1/rooms/:id/attachments/:attachmentId/content?variant&user&expires&signature`:
 * the signed download, without a bearer token (an `<img src>` cannot send one). Whatever the
 * file is, the response cannot run script: `nosniff`, a sandboxing CSP that allows nothing,
 * and anything but a re-encoded image is a download (`Content-Disposition: attachment`).
 */
export function createAttachmentDownloadRouter(attachments: AttachmentService, guard: RequestHandler): Router {
  const router = Router();
  router.get('/:id/attachments/:attachmentId/content', guard, async (req, res) => {
    const { id, attachmentId } = parseParams(roomAttachmentParamsSchema, req.params);
    const grant = parseQuery(signedDownloadQuerySchema, req.query);
    const download = await attachments.download(id, attachmentId, grant);
    res.set({
      'content-type': download.contentType,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'content-disposition': contentDisposition(download.inline ? 'inline' : 'attachment', download.name),
      'cache-control': 'private, max-age=300',
      'cross-origin-resource-policy': 'same-origin',
    });
    await pipeline(download.stream, res);
  });
  return router;
}

/** RFC 6266: an ASCII fallback and the exact name as UTF-8 (quotes and controls never pass through). */
function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
