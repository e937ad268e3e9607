import sharp from 'sharp';
import { UnsupportedMediaTypeError } from '@parley/errors';

export interface ProcessedImage {
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
  width: number;
  height: number;
  thumbnail: Buffer;
}

/** Longest side of a thumbnail, in pixels. */
const THUMBNAIL_SIZE = 320;
/** Refuses decompression bombs: more pixels than this is not a chat picture. */
const MAX_INPUT_PIXELS = 40_000_000;

/**
 * Decodes and re-encodes an image in its own format. What comes out is pixels the encoder
 * wrote, nothing the uploader chose: no EXIF (GPS, camera), XMP, ICC comments or trailing data;
 * the EXIF orientation is applied to the pixels first so the picture still stands upright.
 * Bytes that claim to be an image but do not decode are refused (415).
 */
export async function processImage(bytes: Buffer, contentType: ProcessedImage['contentType']): Promise<ProcessedImage> {
  const animated = contentType === 'image/gif' || contentType === 'image/webp';
  const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, animated, failOn: 'error' });
  try {
    // rotate() with no angle applies the EXIF orientation; metadata is not copied unless asked.
    let pipeline = input().rotate();
    if (contentType === 'image/jpeg') pipeline = pipeline.jpeg({ quality: 85 });
    else if (contentType === 'image/png') pipeline = pipeline.png();
    else if (contentType === 'image/webp') pipeline = pipeline.webp({ quality: 85 });
    else pipeline = pipeline.gif();
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    // Animated images report the height of all frames stacked; pageHeight is one frame.
    const height = info.pageHeight ?? info.height;
    return { bytes: data, contentType, width: info.width, height, thumbnail };
  } catch {
    throw new UnsupportedMediaTypeError('The image cannot be decoded');
  }
}

export const THUMBNAIL_CONTENT_TYPE = 'image/webp';
