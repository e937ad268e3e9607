import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Request } from 'express';

/**
 * The build writes `<file>.br` and `<file>.gz` beside each text file (services/web/build); the
 * server picks one by Accept-Encoding instead of compressing on every request.
 */
export const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** Files worth compressing; images other than SVG are compressed already. */
export const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.webmanifest', '.txt', '.xml']);

export interface Representation {
  /** Absolute path of the file to send. */
  file: string;
  encoding?: 'br' | 'gzip';
  /** Whether other encodings of this file exist (responses then vary by Accept-Encoding). */
  varies: boolean;
}

/**
 * The best stored representation of `relativePath` under `root` that the request accepts, or
 * undefined when the path leaves the root or no such file exists.
 */
export function chooseRepresentation(req: Request, root: string, relativePath: string): Representation | undefined {
  const file = normalize(join(root, relativePath));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  if (!existsSync(file)) return undefined;
  if (!COMPRESSIBLE.has(extname(file))) return { file, varies: false };
  const available = PRECOMPRESSED.filter((candidate) => existsSync(file + candidate.suffix));
  if (available.length === 0) return { file, varies: false };
  const weights = acceptedEncodings(req.headers['accept-encoding']);
  // The best quality the client gives; among equals, ours (the smallest file) first. Browsers list gzip before br.
  let match: (typeof available)[number] | undefined;
  let best = 0;
  for (const candidate of available) {
    const quality = weights.get(candidate.encoding) ?? weights.get('*') ?? 0;
    if (quality > best) [match, best] = [candidate, quality];
  }
  return match ? { file: file + match.suffix, encoding: match.encoding, varies: true } : { file, varies: true };
}

/** Accept-Encoding as coding → quality (RFC 9110 §12.5.3); a coding without q= has 1. */
export function acceptedEncodings(header: string | undefined): Map<string, number> {
  const weights = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [coding, ...parameters] = part.trim().toLowerCase().split(';');
    if (!coding) continue;
    const q = parameters.map((parameter) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
    const quality = q === undefined ? 1 : Number(q);
    if (Number.isFinite(quality)) weights.set(coding, Math.min(1, Math.max(0, quality)));
  }
  return weights;
}
