import { describe, expect, it } from 'vitest';
import { LESS_THAN, MATCH_START, MATCH_STOP } from '@parley/chat-store';
import { parseHeadline } from './search-snippet.js';

const mark = (word: string) => `${MATCH_START}${word}${MATCH_STOP}`;

describe('a ts_headline excerpt becomes text plus matched ranges', () => {
  it('gives each marked word as a range of the unmarked text', () => {
    expect(parseHeadline(`an ${mark('apple')} a ${mark('day')}`)).toEqual({
      text: 'an apple a day',
      highlights: [
        { start: 3, length: 5 },
        { start: 11, length: 3 },
      ],
    });
  });

  it('counts UTF-16 units, as clients slice strings', () => {
    const { text, highlights } = parseHeadline(`😀 ${mark('日本')}`);
    expect(text.slice(highlights[0]!.start, highlights[0]!.start + highlights[0]!.length)).toBe('日本');
  });

  it('gives back the < that went in as a mark, and never makes markup', () => {
    expect(parseHeadline(`${LESS_THAN}b>${mark('bold')}${LESS_THAN}/b>`)).toEqual({ text: '<b>bold</b>', highlights: [{ start: 3, length: 4 }] });
  });

  it('drops empty or unbalanced marks instead of inventing ranges', () => {
    expect(parseHeadline(`${MATCH_START}${MATCH_STOP}plain${MATCH_STOP} ${MATCH_START}tail`)).toEqual({ text: 'plain tail', highlights: [{ start: 6, length: 4 }] });
  });
});
