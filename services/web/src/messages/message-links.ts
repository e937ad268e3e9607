/**
 * Web addresses in message text: `http://…`, `https://…` and `www.…`, found by a left-to-right
 * scan (no regular expression that could backtrack). Only http and https ever become links; any
 * other scheme (`javascript:`, `data:`, `vbscript:`, …) stays text because it is never matched.
 */

export interface FoundLink {
  /** Where the address ends in the text (exclusive). */
  end: number;
  /** The address to open, normalised by the URL parser (`www.` addresses get `https://`). */
  href: string;
}

const PREFIXES = ['https://', 'http://', 'www.'] as const;

/** Punctuation that ends a sentence or wraps an address rather than belonging to it. */
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '*', '_', '~']);
const CLOSING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Characters an address never contains: space, controls, and what quotes or delimits it in text. */
function endsAddress(code: number): boolean {
  return code <= 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0xa0 || code === 0x3c /* < */ || code === 0x3e /* > */ || code === 0x22 /* " */ || code === 0x60 /* ` */ || code === 0x2028 || code === 0x2029 || code === 0xfeff || (code >= 0x200b && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** A letter, digit or one of the characters that glue a word to what follows (no address starts after them). */
function joinsWord(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}\p{M}.\-/@:+&=%#]/u.test(char);
}

function startsWithIgnoringCase(text: string, at: number, prefix: string): boolean {
  return text.length - at >= prefix.length && text.slice(at, at + prefix.length).toLowerCase() === prefix;
}

/** The http(s) address to link for `candidate`, or null when it is not one the browser would open as such. */
export function safeHref(candidate: string): string | null {
  const withScheme = candidate.toLowerCase().startsWith('www.') ? `https://${candidate}` : candidate;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return url.href;
}

/**
 * The address that starts at `at` in `text`, if one does: it must begin with one of the
 * prefixes at the start of a word, runs to the next space (or character an address never
 * holds), and gives back trailing punctuation and unbalanced closing brackets to the sentence.
 */
export function linkAt(text: string, at: number): FoundLink | null {
  const first = text[at];
  if (first !== 'h' && first !== 'H' && first !== 'w' && first !== 'W') return null;
  if (joinsWord(text[at - 1])) return null;
  const prefix = PREFIXES.find((candidate) => startsWithIgnoringCase(text, at, candidate));
  if (!prefix) return null;
  // `www.` alone, or followed by punctuation, is a word and not an address.
  if (prefix === 'www.' && !/[\p{L}\p{N}]/u.test(text[at + prefix.length] ?? '')) return null;
  let end = at + prefix.length;
  const open: Record<string, number> = { '(': 0, '[': 0, '{': 0 };
  const close: Record<string, number> = { ')': 0, ']': 0, '}': 0 };
  while (end < text.length && !endsAddress(text.charCodeAt(end))) {
    const char = text[end]!;
    if (char in open) open[char]! += 1;
    else if (char in close) close[char]! += 1;
    end += 1;
  }
  for (;;) {
    const last = text[end - 1]!;
    if (end > at + prefix.length && TRAILING.has(last)) {
      end -= 1;
      continue;
    }
    const opener = CLOSING[last];
    if (end > at + prefix.length && opener !== undefined && close[last]! > open[opener]!) {
      close[last]! -= 1;
      end -= 1;
      continue;
    }
    break;
  }
  if (end === at + prefix.length) return null;
  const href = safeHref(text.slice(at, end));
  return href ? { end, href } : null;
}
