import { LESS_THAN, MATCH_START, MATCH_STOP } from '@parley/chat-store';
import type { SearchSnippet } from '@parley/contracts';

/** Splits a marked headline into its plain text and the matched ranges (UTF-16 offsets). */
export function parseHeadline(marked: string): SearchSnippet {
  let text = '';
  const highlights: SearchSnippet['highlights'] = [];
  let openedAt: number | null = null;
  const close = () => {
    if (openedAt !== null && text.length > openedAt) highlights.push({ start: openedAt, length: text.length - openedAt });
    openedAt = null;
  };
  for (const char of marked) {
    if (char === MATCH_START) openedAt ??= text.length;
    else if (char === MATCH_STOP) close();
    else text += char === LESS_THAN ? '<' : char;
  }
  close();
  return { text, highlights };
}
