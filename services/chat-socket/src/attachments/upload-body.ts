import type { Request, Response } from 'express';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '@parley/errors';

/** Request types that are not a file's raw bytes (a form or JSON wrapping it). */
const NOT_RAW = ['multipart/*', 'application/x-www-form-urlencoded', 'application/json', 'application/*+json'];

/**
 * An upload's body: the file's raw bytes, at most `maxBytes`. A larger Content-Length is
 * refused before reading; a body streamed without one is refused as soon as it passes the
 * limit (the connection is then closed rather than drained).
 */
export async function readUploadBody(req: Request, res: Response, maxBytes: number): Promise<Buffer> {
  if (req.headers['content-type'] && req.is(NOT_RAW)) {
    throw new UnsupportedMediaTypeError('Send the file itself as the request body (not a form or JSON)');
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    res.set('connection', 'close');
    throw new PayloadTooLargeError(`A file may be at most ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      res.set('connection', 'close');
      req.pause();
      throw new PayloadTooLargeError(`A file may be at most ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  if (total === 0) throw new ValidationError('The file is empty');
  return Buffer.concat(chunks, total);
}
